package dev.registrar.sandbox;

import dev.registrar.testing.etcd.EtcdBinary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Makes sure a real etcd can be started: found, installed with apt when that is safe, or explained. */
final class EtcdSetup {

  static final String APT_INSTALL = "apt-get update && apt-get install -y etcd-server etcd-client";

  enum Action { USE, INSTALL_WITH_APT, EXPLAIN_AND_EXIT }

  private EtcdSetup() {}

  /** Installing system packages unasked is only fine as root on a Debian-like machine. */
  static Action decide(boolean installed, boolean root, boolean debianWithApt) {
    if (installed) {
      return Action.USE;
    }
    return root && debianWithApt ? Action.INSTALL_WITH_APT : Action.EXPLAIN_AND_EXIT;
  }

  /** True when an etcd binary is ready to run; false after saying on {@code err} what to do. */
  static boolean ensure(PrintStream out, PrintStream err) {
    Action action = decide(EtcdBinary.find().isPresent(), isRoot(),
        Files.exists(Path.of("/etc/debian_version")) && Files.isExecutable(Path.of("/usr/bin/apt-get")));
    switch (action) {
      case USE:
        return true;
      case INSTALL_WITH_APT:
        out.println("registrar sandbox: etcd is not installed; installing it as root with apt: " + APT_INSTALL);
        if (aptInstall() && EtcdBinary.find().isPresent()) {
          return true;
        }
        err.println("registrar sandbox: installing etcd failed; run it yourself: " + APT_INSTALL);
        return false;
      default:
        err.println("registrar sandbox: the etcd binary was not found on PATH. Install it with:");
        err.println("  sudo " + APT_INSTALL.replace("&& ", "&& sudo "));
        err.println("or put any etcd 3.4+ on PATH, or use a running etcd: --etcd-endpoints http://127.0.0.1:2379");
        return false;
    }
  }

  private static boolean aptInstall() {
    ProcessBuilder apt = new ProcessBuilder("sh", "-c", APT_INSTALL).inheritIO();
    apt.environment().put("DEBIAN_FRONTEND", "noninteractive");
    try {
      return apt.start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean isRoot() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }
}
