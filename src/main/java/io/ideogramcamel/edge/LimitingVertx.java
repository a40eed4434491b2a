package io.ideogramcamel.edge;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;

/**
 * A Vert.x instance that hands every call to the real one, except that an HTTP server it creates
 * gets {@link HttpServerLimits}' options and connection guard. A proxy of Vert.x's own internal
 * interface, so code that casts to it (Vert.x Web does) keeps working; the server itself is the real
 * Vert.x server, built by the real instance.
 */
final class LimitingVertx implements InvocationHandler {

    private final Supplier<Vertx> factory;
    private final HttpServerLimits limits;
    private VertxInternal real;

    private LimitingVertx(Supplier<Vertx> factory, HttpServerLimits limits) {
        this.factory = factory;
        this.limits = limits;
    }

    /** A Vert.x instance made by {@code factory} on the first call that needs one. */
    static Vertx wrap(Supplier<Vertx> factory, HttpServerLimits limits) {
        return (Vertx) Proxy.newProxyInstance(LimitingVertx.class.getClassLoader(),
                new Class<?>[] { VertxInternal.class }, new LimitingVertx(factory, limits));
    }

    private synchronized VertxInternal real() {
        if (real == null) {
            real = (VertxInternal) factory.get();
        }
        return real;
    }

    static HttpServerLimits limitsOf(Vertx vertx) {
        return Proxy.isProxyClass(vertx.getClass()) && Proxy.getInvocationHandler(vertx) instanceof LimitingVertx l
                ? l.limits : null;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if ("createHttpServer".equals(method.getName())) {
            HttpServerOptions given = args != null && args.length == 1 && args[0] instanceof HttpServerOptions o
                    ? o : new HttpServerOptions();
            return limits.guard(real().createHttpServer(limits.apply(given)));
        }
        if ("equals".equals(method.getName()) && args != null && args.length == 1) {
            return proxy == args[0];
        }
        if ("hashCode".equals(method.getName()) && args == null) {
            return System.identityHashCode(proxy);
        }
        try {
            return method.invoke(real(), args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
