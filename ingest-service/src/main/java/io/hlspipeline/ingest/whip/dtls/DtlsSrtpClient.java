package io.hlspipeline.ingest.whip.dtls;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Hashtable;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * Runs the DTLS 1.2 handshake of DTLS-SRTP (RFC 5764) as the DTLS client (we answer {@code
 * a=setup:active}): offers {@code use_srtp} with SRTP_AES128_CM_HMAC_SHA1_80, presents our
 * certificate when asked, accepts the server's certificate only if its SHA-256 equals the offer's
 * fingerprint (RFC 8122 §5, RFC 8827 §6.5), and exports the SRTP keys.
 */
public final class DtlsSrtpClient {
  private static final int KEYING_MATERIAL_BYTES = 2 * (SrtpKeys.KEY_BYTES + SrtpKeys.SALT_BYTES);

  private DtlsSrtpClient() {}

  /**
   * Handshakes over {@code transport}; blocks until done.
   *
   * @param expectedFingerprint the SHA-256 fingerprint of the peer's certificate from its offer
   * @param timeoutMillis the handshake fails after this long
   * @throws IOException when the handshake fails or times out, or the fingerprint differs
   */
  public static SrtpKeys handshake(
      DatagramTransport transport,
      DtlsCertificate certificate,
      byte[] expectedFingerprint,
      int timeoutMillis)
      throws IOException {
    Client client =
        new Client(
            new BcTlsCrypto(new SecureRandom()), certificate, expectedFingerprint, timeoutMillis);
    new DTLSClientProtocol().connect(client, transport);
    if (client.keys == null) {
      throw new IOException("DTLS handshake ended without SRTP keys");
    }
    return client.keys;
  }

  private static final class Client extends DefaultTlsClient {
    private final DtlsCertificate certificate;
    private final byte[] expectedFingerprint;
    private final int timeoutMillis;
    private volatile SrtpKeys keys;

    Client(
        BcTlsCrypto crypto,
        DtlsCertificate certificate,
        byte[] expectedFingerprint,
        int timeoutMillis) {
      super(crypto);
      this.certificate = certificate;
      this.expectedFingerprint = expectedFingerprint.clone();
      this.timeoutMillis = timeoutMillis;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return timeoutMillis;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    public Hashtable<Integer, byte[]> getClientExtensions() throws IOException {
      @SuppressWarnings("unchecked")
      Hashtable<Integer, byte[]> extensions = super.getClientExtensions();
      if (extensions == null) {
        extensions = new Hashtable<>();
      }
      TlsSRTPUtils.addUseSRTPExtension(
          extensions,
          new UseSRTPData(
              new int[] {SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80}, TlsUtils.EMPTY_BYTES));
      return extensions;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
      super.processServerExtensions(serverExtensions);
      UseSRTPData srtp = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
      if (srtp == null
          || srtp.getProtectionProfiles().length != 1
          || srtp.getProtectionProfiles()[0] != SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80) {
        throw new TlsFatalAlert(AlertDescription.illegal_parameter);
      }
    }

    @Override
    public TlsAuthentication getAuthentication() {
      return new TlsAuthentication() {
        @Override
        public void notifyServerCertificate(TlsServerCertificate serverCertificate)
            throws IOException {
          Certificate chain = serverCertificate.getCertificate();
          if (chain == null || chain.isEmpty()) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
          }
          byte[] actual = DtlsCertificate.sha256(chain.getCertificateAt(0).getEncoded());
          if (!MessageDigest.isEqual(actual, expectedFingerprint)) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
          }
        }

        @Override
        public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
          BcTlsCrypto crypto = (BcTlsCrypto) getCrypto();
          Certificate ours =
              new Certificate(new TlsCertificate[] {crypto.createCertificate(certificate.der())});
          return new BcDefaultTlsCredentialedSigner(
              new TlsCryptoParameters(context),
              crypto,
              certificate.privateKey(),
              ours,
              SignatureAndHashAlgorithm.getInstance(
                  HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
        }
      };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      keys =
          SrtpKeys.split(
              context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, KEYING_MATERIAL_BYTES));
    }
  }
}
