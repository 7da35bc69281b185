package dev.registrar.grpc;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** A continuous stream of calls from a few threads, counting what succeeded and what failed. */
final class CallStream implements AutoCloseable {

  final AtomicLong succeeded = new AtomicLong();
  final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  CallStream(Channel channel, int threadCount) {
    for (int i = 0; i < threadCount; i++) {
      Thread thread = new Thread(() -> {
        while (running) {
          try {
            TestServer.hello(channel);
            succeeded.incrementAndGet();
          } catch (StatusRuntimeException e) {
            failures.add(e.getStatus().toString());
          }
        }
      }, "call-stream-" + i);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread thread : threads) {
      thread.join(10_000);
    }
  }
}
