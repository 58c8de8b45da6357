package io.sparkvlm.core.config;

/**
 * A configuration problem a user can fix: an unknown key, a value of the wrong type or out of range, a missing
 * required value or an unreadable config file. The message always names the key and, where known, where the
 * value came from (file and line, or the {@code --conf} override).
 */
public final class ConfigError extends RuntimeException {
  private final String key;

  public ConfigError(String key, String message) {
    super(message);
    this.key = key;
  }

  public ConfigError(String key, String message, Throwable cause) {
    super(message, cause);
    this.key = key;
  }

  /** The offending key as a HOCON path, or {@code ""} when the problem is not about one key. */
  public String key() {
    return key;
  }
}
