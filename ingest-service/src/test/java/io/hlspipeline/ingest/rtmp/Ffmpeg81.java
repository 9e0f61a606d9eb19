package io.hlspipeline.ingest.rtmp;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The ffmpeg 8.1 and ffprobe executables of the test-scoped Maven artifact {@code
 * org.bytedeco:ffmpeg:8.1.2-1.5.14:linux-x86_64-gpl}, extracted with their shared libraries into a
 * directory (their RUNPATH is {@code $ORIGIN}). Debian's ffmpeg 5.1 cannot send enhanced RTMP.
 */
public final class Ffmpeg81 {
  private static final String DIR = "org/bytedeco/ffmpeg/linux-x86_64-gpl/";

  private Ffmpeg81() {}

  /**
   * Extracts the executables into {@code target}.
   *
   * @return the directory holding {@code ffmpeg} and {@code ffprobe}, or null when the artifact is
   *     not on the class path (another platform)
   */
  public static Path extract(Path target) throws IOException {
    URL url = Ffmpeg81.class.getClassLoader().getResource(DIR + "ffmpeg");
    if (url == null || !"jar".equals(url.getProtocol())) {
      return null;
    }
    JarURLConnection connection = (JarURLConnection) url.openConnection();
    connection.setUseCaches(false);
    try (JarFile jar = connection.getJarFile()) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        JarEntry e = entries.nextElement();
        if (e.getName().startsWith(DIR) && !e.isDirectory()) {
          Path file = target.resolve(e.getName().substring(DIR.length()));
          try (InputStream in = jar.getInputStream(e)) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
          }
          file.toFile().setExecutable(true);
        }
      }
    }
    return target;
  }
}
