package dev.registrar.operator.config;

/** A wrong or missing setting: the operator does not start, and says which one in one line. */
public final class ConfigException extends RuntimeException {

  public ConfigException(Setting setting, String problem) {
    super(setting.label() + ": " + problem);
  }

  public ConfigException(String message) {
    super(message);
  }
}
