package dev.registrar.operator.customresource;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Reading a ServiceRegistration never fails because of what one object holds. The informer reads
 * every registration of the cluster through these: a spec the model cannot map (a wrong type, an
 * overflow, a wrong shape) becomes a spec that says why ({@link ServiceRegistrationSpec#unreadable()}),
 * which the reconcile reports on that object alone as {@code InvalidSpec}; a status it cannot map
 * is read as empty, and the next reconcile writes it anew. Unknown fields are ignored by the
 * model classes themselves. Without this, fabric8's informer stops on the first such object and
 * JOSDK stops the operator: every registration of the cluster loses its service.
 */
public final class TolerantReading {

  private TolerantReading() {}

  /** Reads a {@code type} with its own bean deserializer, or, when that fails, what {@link #unread} makes. */
  private abstract static class Tolerant<T> extends JsonDeserializer<T> {
    private final Class<T> type;

    Tolerant(Class<T> type) {
      this.type = type;
    }

    /** What stands for a stored value the model cannot read. */
    abstract T unread(Exception cause, JsonNode stored);

    @Override
    public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      JsonNode tree = parser.readValueAsTree();
      try {
        // The class's own bean deserializer: this one sits on the property, so it is not called again.
        return context.readTreeAsValue(tree, type);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        return unread(e, tree);
      }
    }
  }

  /** For {@code ServiceRegistration.spec}: a spec that says why. */
  public static final class Spec extends Tolerant<ServiceRegistrationSpec> {
    public Spec() {
      super(ServiceRegistrationSpec.class);
    }

    @Override
    ServiceRegistrationSpec unread(Exception cause, JsonNode stored) {
      return ServiceRegistrationSpec.unreadable(describe(cause, stored));
    }
  }

  /** For {@code ServiceRegistration.status}, written by another version of the operator: empty. */
  public static final class Status extends Tolerant<ServiceRegistrationStatus> {
    public Status() {
      super(ServiceRegistrationStatus.class);
    }

    @Override
    ServiceRegistrationStatus unread(Exception cause, JsonNode stored) {
      return new ServiceRegistrationStatus();
    }
  }

  /** "spec.ports[0].port: expected an integer, got \"eighty\"": the field, what it needs, what it holds. */
  static String describe(Exception e, JsonNode spec) {
    StringBuilder field = new StringBuilder("spec");
    JsonNode value = spec;
    if (e instanceof JsonMappingException mapping) {
      for (JsonMappingException.Reference reference : mapping.getPath()) {
        if (reference.getFieldName() != null) {
          field.append('.').append(reference.getFieldName());
          value = value == null ? null : value.get(reference.getFieldName());
        } else if (reference.getIndex() >= 0) {
          field.append('[').append(reference.getIndex()).append(']');
          value = value == null ? null : value.get(reference.getIndex());
        }
      }
    }
    Class<?> target = targetType(e);
    String expected = target == null ? "a value of the field's type" : expected(target);
    String held = value == null ? "" : ", got " + abbreviate(value.toString());
    String range = String.valueOf(e.getMessage()).contains("out of range of") ? " (out of range)" : "";
    return field + ": cannot be read: expected " + expected + held + range;
  }

  /** The type Jackson was reading into, from the first mismatch in the cause chain. */
  private static Class<?> targetType(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
        return mismatch.getTargetType();
      }
    }
    return null;
  }

  private static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "an object of strings";
    }
    return "an object (" + type.getSimpleName() + ")";
  }

  private static String abbreviate(String json) {
    return json.codePointCount(0, json.length()) <= 40 ? json : json.substring(0, json.offsetByCodePoints(0, 40)) + "...";
  }
}
