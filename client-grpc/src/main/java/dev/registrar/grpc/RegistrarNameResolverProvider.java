package dev.registrar.grpc;

import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.List;

/**
 * The {@code registrar:///} scheme, found by gRPC through {@code META-INF/services}: with this
 * jar on the classpath, {@code ManagedChannelBuilder.forTarget("registrar:///orders")} works.
 */
public final class RegistrarNameResolverProvider extends NameResolverProvider {

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!RegistrarGrpc.SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    RegistrarTarget target = RegistrarTarget.parse(targetUri);
    RegistrySource source = args.getArg(RegistrarGrpc.SOURCE_ARG);
    if (source == null) {
      source = RegistrarGrpc.installed();
    }
    if (source == null) {
      throw new IllegalStateException("no registry for " + targetUri + ": call RegistrarGrpc.install(etcdClient, prefix)"
          + " once at startup, or build the channel with RegistrarGrpc.forTarget(target, etcdClient, prefix)");
    }
    return new RegistrarNameResolver(target, source, args);
  }

  @Override
  public String getDefaultScheme() {
    return RegistrarGrpc.SCHEME;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  /** Below DNS (5): this provider only ever answers its own scheme. */
  @Override
  protected int priority() {
    return 4;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }
}
