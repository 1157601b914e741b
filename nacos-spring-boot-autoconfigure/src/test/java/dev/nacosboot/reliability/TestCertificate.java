package dev.nacosboot.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A self-signed server certificate for {@code localhost} and {@code 127.0.0.1}, made with
 * the JDK's {@code keytool} in a temporary directory the first time it is asked for, as
 * PEM files.
 */
final class TestCertificate implements AutoCloseable {

	private Path directory;

	private Path certificate;

	private Path privateKey;

	/** The PEM certificate, which is also what a client must trust. */
	synchronized Path certificate() {
		create();
		return this.certificate;
	}

	/** The PEM (PKCS#8) private key of {@link #certificate()}. */
	synchronized Path privateKey() {
		create();
		return this.privateKey;
	}

	private void create() {
		if (this.directory != null) {
			return;
		}
		try {
			this.directory = Files.createTempDirectory("nacos-tls");
			Path keyStore = this.directory.resolve("server.p12");
			Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
					"-genkeypair", "-alias", "nacos", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
					"-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore",
					keyStore.toString(), "-storepass", "changeit")
				.redirectErrorStream(true)
				.start();
			keytool.getInputStream().transferTo(OutputStream.nullOutputStream());
			if (keytool.waitFor() != 0) {
				throw new IllegalStateException("keytool failed with exit code " + keytool.exitValue());
			}
			KeyStore store = KeyStore.getInstance("PKCS12");
			try (InputStream in = Files.newInputStream(keyStore)) {
				store.load(in, "changeit".toCharArray());
			}
			PrivateKey key = (PrivateKey) store.getKey("nacos", "changeit".toCharArray());
			this.certificate = Files.writeString(this.directory.resolve("server.crt"),
					pem("CERTIFICATE", store.getCertificate("nacos").getEncoded()));
			this.privateKey = Files.writeString(this.directory.resolve("server.key"),
					pem("PRIVATE KEY", key.getEncoded()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public synchronized void close() throws IOException {
		if (this.directory != null) {
			try (Stream<Path> files = Files.walk(this.directory)) {
				for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
					Files.deleteIfExists(file);
				}
			}
		}
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

}
