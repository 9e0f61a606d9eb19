package io.hlspipeline.ingest.whip.dtls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The self-signed ECDSA P-256 certificate this ingest instance presents in every DTLS handshake
 * (WebRTC peers trust it through the SDP fingerprint, RFC 8827 §6.5, not a CA). Made at start, kept
 * in memory only. Immutable.
 */
public final class DtlsCertificate {
  private final byte[] der;
  private final AsymmetricKeyParameter privateKey;
  private final byte[] sha256;

  private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey) throws IOException {
    this.der = der;
    this.privateKey = privateKey;
    this.sha256 = sha256(der);
  }

  /** A new key pair and certificate valid for 30 days from now. */
  public static DtlsCertificate generate() throws GeneralSecurityException, IOException {
    KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
    kpg.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    KeyPair kp = kpg.generateKeyPair();
    X500Name name = new X500Name("CN=hls-pipeline-ingest");
    Instant now = Instant.now();
    try {
      X509CertificateHolder holder =
          new JcaX509v3CertificateBuilder(
                  name,
                  new BigInteger(64, new SecureRandom()),
                  Date.from(now.minus(Duration.ofDays(1))),
                  Date.from(now.plus(Duration.ofDays(30))),
                  name,
                  kp.getPublic())
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
      return new DtlsCertificate(
          holder.getEncoded(), PrivateKeyFactory.createKey(kp.getPrivate().getEncoded()));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign the DTLS certificate", e);
    }
  }

  /** The certificate, DER. */
  byte[] der() {
    return der.clone();
  }

  AsymmetricKeyParameter privateKey() {
    return privateKey;
  }

  /** SHA-256 of the DER certificate: the SDP {@code a=fingerprint:sha-256}. */
  public byte[] fingerprintSha256() {
    return sha256.clone();
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
