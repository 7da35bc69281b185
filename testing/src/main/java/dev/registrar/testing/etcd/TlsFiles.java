package dev.registrar.testing.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway CA, a server certificate for 127.0.0.1/localhost and a client certificate, made
 * with the openssl command line. Keys are PKCS#8 PEM, which both etcd and netty read.
 *
 * @param ca the CA certificate
 * @param serverCert etcd's certificate
 * @param serverKey etcd's key
 * @param clientCert the client's certificate (CN {@code registrar})
 * @param clientKey the client's key
 */
public record TlsFiles(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

  /** Generates the files in {@code dir}; fails with the install command when openssl is missing. */
  public static TlsFiles generate(Path dir) {
    if (EtcdBinary.onPath("openssl", EtcdBinary.searchPath()).isEmpty()) {
      throw new IllegalStateException("openssl not found: apt-get install -y openssl");
    }
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("server.ext"),
          "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n", StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=registrar-test-ca",
        "-keyout", "ca.key", "-out", "ca.crt");
    for (String name : List.of("server", "client")) {
      openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + (name.equals("client") ? "registrar" : "etcd"),
          "-keyout", name + ".key", "-out", name + ".csr");
      openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
          "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt");
    }
    return new TlsFiles(dir.resolve("ca.crt"), dir.resolve("server.crt"), dir.resolve("server.key"),
        dir.resolve("client.crt"), dir.resolve("client.key"));
  }

  private static void openssl(Path dir, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("openssl " + String.join(" ", args) + " failed:\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
