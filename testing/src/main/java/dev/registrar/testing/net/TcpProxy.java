package dev.registrar.testing.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on a loopback port in front of one target, for faults that a real network has and
 * a killed process does not: a cut (every connection dropped, new ones refused until restored)
 * and silence (connections stay open, bytes stop flowing both ways, like a partition or a
 * blackholed route). The program under test is given {@link #url()}; the test keeps talking to
 * the target directly.
 */
public final class TcpProxy implements AutoCloseable {

  private enum Mode { FORWARD, CUT, SILENT }

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private volatile Mode mode = Mode.FORWARD;

  /** @param target host:port to forward to */
  public TcpProxy(String targetHost, int targetPort) {
    this.target = new InetSocketAddress(targetHost, targetPort);
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy in front of an {@code http://host:port} URL. */
  public static TcpProxy inFrontOf(String url) {
    java.net.URI uri = java.net.URI.create(url);
    return new TcpProxy(uri.getHost(), uri.getPort());
  }

  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Drops every connection and refuses new ones (they are accepted and closed at once). */
  public void cut() {
    mode = Mode.CUT;
    closeAll();
  }

  /** Connections stay open but nothing gets through, either way, until {@link #restore()}. */
  public void silence() {
    mode = Mode.SILENT;
  }

  /** Forwards again; connections silenced meanwhile resume where they stopped. */
  public void restore() {
    synchronized (gate) {
      mode = Mode.FORWARD;
      gate.notifyAll();
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (mode == Mode.CUT) {
          client.close();
          continue;
        }
        Socket upstream = new Socket();
        upstream.connect(target, 2000);
        sockets.add(client);
        sockets.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          awaitForwarding();
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // closed by a cut, or by either end
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tcp-proxy-pipe");
    thread.setDaemon(true);
    thread.start();
  }

  private void awaitForwarding() throws InterruptedException, SocketException {
    synchronized (gate) {
      while (mode == Mode.SILENT) {
        gate.wait();
      }
    }
    if (mode == Mode.CUT) {
      throw new SocketException("cut");
    }
  }

  private void closeAll() {
    sockets.forEach(TcpProxy::closeQuietly);
    sockets.clear();
    synchronized (gate) {
      gate.notifyAll();
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    closeAll();
  }
}
