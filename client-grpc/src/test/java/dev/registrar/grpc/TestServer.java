package dev.registrar.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real gRPC server (Netty, loopback) with two unary methods, no protobuf: {@code Hello} answers
 * with the server's name at once, {@code Slow} answers once {@link #release()} is called. It counts
 * calls and remembers when the last one arrived.
 */
final class TestServer implements AutoCloseable {

  static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  static final MethodDescriptor<String, String> HELLO = method("Hello");
  static final MethodDescriptor<String, String> SLOW = method("Slow");

  private static MethodDescriptor<String, String> method(String name) {
    return MethodDescriptor.<String, String>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("registrar.test.Echo", name))
        .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();
  }

  final String name;
  final AtomicLong calls = new AtomicLong();
  final AtomicLong slowStarted = new AtomicLong();
  volatile long lastCallNanos;
  private volatile CountDownLatch slowGate = new CountDownLatch(1);
  private final Server server;
  private final ExecutorService waiters = Executors.newCachedThreadPool();

  TestServer(String name) throws IOException {
    this.name = name;
    ServerServiceDefinition service = ServerServiceDefinition.builder("registrar.test.Echo")
        .addMethod(HELLO, ServerCalls.asyncUnaryCall((request, response) -> {
          lastCallNanos = System.nanoTime();
          calls.incrementAndGet();
          response.onNext(name);
          response.onCompleted();
        }))
        .addMethod(SLOW, ServerCalls.asyncUnaryCall((request, response) -> {
          slowStarted.incrementAndGet();
          CountDownLatch gate = slowGate;
          // Off gRPC's threads: the answer waits for the test, not for a thread.
          waiters.execute(() -> {
            try {
              gate.await(30, TimeUnit.SECONDS);
              response.onNext(name + " (slow)");
              response.onCompleted();
            } catch (InterruptedException e) {
              response.onError(e);
            }
          });
        }))
        .build();
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service)
        .build().start();
  }

  int port() {
    return server.getPort();
  }

  void release() {
    slowGate.countDown();
    slowGate = new CountDownLatch(1);
  }

  static String hello(Channel channel) {
    return ClientCalls.blockingUnaryCall(channel, HELLO, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "hi");
  }

  @Override
  public void close() throws InterruptedException {
    release();
    waiters.shutdown();
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
  }
}
