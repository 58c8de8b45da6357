package io.sparkvlm.core.testing;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A real HTTP server on 127.0.0.1 and a free port, for tests that download. Close it when done. */
public final class LoopbackHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private LoopbackHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static LoopbackHttpServer start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "loopback-http");
        t.setDaemon(true);
        return t;
      });
      server.setExecutor(executor);
      server.start();
      return new LoopbackHttpServer(server, executor);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start a loopback HTTP server", e);
    }
  }

  /** Serves {@code handler} under {@code path} (a prefix, as com.sun.net.httpserver matches). */
  public LoopbackHttpServer handle(String path, HttpHandler handler) {
    server.createContext(path, handler);
    return this;
  }

  /** Serves fixed bytes with a status and content type under {@code path}. */
  public LoopbackHttpServer serve(String path, int status, String contentType, byte[] body) {
    return handle(path, exchange -> {
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:PORT} + path. */
  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
