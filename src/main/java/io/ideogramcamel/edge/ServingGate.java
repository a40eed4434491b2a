package io.ideogramcamel.edge;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.BooleanSupplier;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * The server listens before Camel has added its routes (platform-http starts it as a service, the
 * routes come after), and after it has begun removing them on shutdown. A request in those windows,
 * a webhook delivery among them, would be answered 404 by an empty router, which a sender may take
 * as "wrong URL, give up". Until the routes are all started, and from the moment they stop, every
 * request is answered 503 {"error":"starting"} with Retry-After: 1 instead, a fixed answer that says
 * "try again".
 */
final class ServingGate implements InvocationHandler {

    private final HttpServer real;
    private final BooleanSupplier serving;

    private ServingGate(HttpServer real, BooleanSupplier serving) {
        this.real = real;
        this.serving = serving;
    }

    /** The server, whose request handler only runs while {@code serving} says so. */
    static HttpServer wrap(HttpServer real, BooleanSupplier serving) {
        return (HttpServer) Proxy.newProxyInstance(ServingGate.class.getClassLoader(), new Class<?>[] { HttpServer.class },
                new ServingGate(real, serving));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if ("requestHandler".equals(method.getName()) && args != null && args.length == 1 && args[0] != null) {
            Handler<HttpServerRequest> routes = (Handler<HttpServerRequest>) args[0];
            real.requestHandler(request -> {
                if (serving.getAsBoolean()) {
                    routes.handle(request);
                } else {
                    notServing(request);
                }
            });
            return proxy;
        }
        try {
            Object result = method.invoke(real, args);
            // fluent calls go on through the gate
            return result == real ? proxy : result;
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void notServing(HttpServerRequest request) {
        request.response()
                .setStatusCode(503)
                .putHeader("Content-Type", "application/json")
                .putHeader("Retry-After", "1")
                .end("{\"error\":\"starting\"}");
    }
}
