package dev.registrar.client;

import java.util.regex.Pattern;

/** Service names are DNS-1123 labels: they are path segments of keys and must never escape them. */
public final class ServiceNames {

  public static final int MAX_LENGTH = 63;

  public static final String PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  private static final Pattern LABEL = Pattern.compile(PATTERN);

  private ServiceNames() {}

  public static boolean isValid(String name) {
    return name != null && name.length() <= MAX_LENGTH && LABEL.matcher(name).matches();
  }

  /**
   * Whether a service segment of a key can be read: anything non-empty without {@code /} (and not
   * {@code .} or {@code ..}), such as go-zero's {@code orders.rpc}. Only names that are
   * {@link #isValid valid} are ever written.
   */
  public static boolean isReadable(String name) {
    return name != null && !name.isEmpty() && name.indexOf('/') < 0 && !name.equals(".") && !name.equals("..");
  }

  static void requireReadable(String name) {
    if (!isReadable(name)) {
      throw new IllegalArgumentException("invalid service segment '" + name
          + "': must be non-empty, without '/', and not '.' or '..'");
    }
  }

  static void requireValid(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException("invalid service name '" + name
          + "': must be a DNS-1123 label (lowercase letters, digits and '-', at most "
          + MAX_LENGTH + " characters, starting and ending with a letter or digit)");
    }
  }
}
