package io.hlspipeline.devstack;

import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.utility.DockerImageName;

/**
 * A Testcontainers pull policy for machines with no image registry: never pull, so a missing local
 * image fails at once instead of after a registry timeout. Named in configuration, not code: {@code
 * pull.policy=io.hlspipeline.devstack.NeverPull} in {@code ~/.testcontainers.properties} or {@code
 * TESTCONTAINERS_PULL_POLICY} (the containers-it failsafe configuration sets the latter).
 */
public final class NeverPull implements ImagePullPolicy {
  @Override
  public boolean shouldPull(DockerImageName imageName) {
    return false;
  }
}
