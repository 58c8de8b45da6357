package io.sparkvlm.core.testing;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;

/**
 * A real S3-compatible server for tests: S3Proxy with its in-memory backend, run as a child JVM (its libraries
 * clash with Spark's) on 127.0.0.1 and a free port, with AWS v2/v4 request signing on. Each instance creates a
 * fresh bucket; {@link #hadoopSettings()} are the matching S3A settings.
 */
public final class S3ProxyServer implements AutoCloseable {
  public static final String ACCESS_KEY = "spark-vlm-test-access";
  public static final String SECRET_KEY = "spark-vlm-test-secret";

  private final Process process;
  private final int port;
  private final String bucket;
  private final Path log;

  private S3ProxyServer(Process process, int port, String bucket, Path log) {
    this.process = process;
    this.port = port;
    this.bucket = bucket;
    this.log = log;
  }

  public static S3ProxyServer start() {
    String jar = System.getProperty("sparkvlm.s3proxy.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException("S3Proxy jar not found at " + jar + " (the build copies it to"
          + " target/test-tools/s3proxy.jar; run the tests through Maven)");
    }
    try {
      int port = freePort();
      Path dir = Files.createTempDirectory("s3proxy");
      Path properties = dir.resolve("s3proxy.properties");
      Files.writeString(properties, String.join("\n",
          "s3proxy.endpoint=http://127.0.0.1:" + port,
          "s3proxy.authorization=aws-v2-or-v4",
          "s3proxy.identity=" + ACCESS_KEY,
          "s3proxy.credential=" + SECRET_KEY,
          "s3proxy.ignore-unknown-headers=true",
          "jclouds.provider=transient",
          "jclouds.identity=" + ACCESS_KEY,
          "jclouds.credential=" + SECRET_KEY,
          "jclouds.regions=us-east-1",
          ""));
      Path log = dir.resolve("s3proxy.log");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", jar, "--properties",
          properties.toString()))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      S3ProxyServer server = new S3ProxyServer(process, port, "test-" + UUID.randomUUID().toString().substring(0, 8),
          log);
      server.awaitListening();
      server.client().createBucket(server.bucket);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start S3Proxy", e);
    }
  }

  private void awaitListening() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("S3Proxy did not listen on 127.0.0.1:" + port + " within 60 s: "
        + Files.readString(log));
  }

  public AmazonS3 client() {
    return AmazonS3ClientBuilder.standard()
        .withEndpointConfiguration(new EndpointConfiguration(endpoint(), "us-east-1"))
        .withPathStyleAccessEnabled(true)
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public String bucket() {
    return bucket;
  }

  /** {@code s3a://BUCKET/} + key. */
  public String uri(String key) {
    return "s3a://" + bucket + "/" + key;
  }

  /** S3A settings that reach this server (see STACK.md for why each is needed). */
  public Map<String, String> hadoopSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("fs.s3a.endpoint", endpoint());
    s.put("fs.s3a.endpoint.region", "us-east-1");
    s.put("fs.s3a.path.style.access", "true");
    s.put("fs.s3a.connection.ssl.enabled", "false");
    s.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    s.put("fs.s3a.access.key", ACCESS_KEY);
    s.put("fs.s3a.secret.key", SECRET_KEY);
    s.put("fs.s3a.directory.marker.retention", "keep");
    s.put("fs.s3a.attempts.maximum", "2");
    s.put("fs.s3a.retry.limit", "2");
    return s;
  }

  /** Applies {@link #hadoopSettings()} to a Hadoop configuration, e.g. a Spark session's. */
  public void applyTo(Configuration conf) {
    hadoopSettings().forEach(conf::set);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
