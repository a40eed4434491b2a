package io.ideogramcamel.edge;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * The server listens before Camel has added its routes (platform-http starts it as a service, the
 * routes come after), and after it has begun removing them on shutdown. A request in those windows,
 * a webhook delivery among them, would be answered 404 by an empty router, which a sender may take
 * as "wrong URL, give up".
 * <ul>
 * <li>While starting, a request is held (paused, its body unread) until the routes are all started,
 * then handed to them: the first delivery after a restart is answered as any other, not told to come
 * back. Held longer than the hold time (a start that stalls), it is answered 503.</li>
 * <li>From the stop on, every request is answered 503 {"error":"starting"} with Retry-After: 1 at
 * once, a fixed answer that says "try again" (another replica, or this one after its restart).</li>
 * </ul>
 */
final class ServingGate implements InvocationHandler {

    /* How often a held request looks whether the routes have started: a start takes seconds. */
    private static final long HOLD_POLL_MILLIS = 20;

    private final HttpServer real;
    private final ServingSwitch serving;
    private final long holdNanos;

    private ServingGate(HttpServer real, ServingSwitch serving, long holdMillis) {
        this.real = real;
        this.serving = serving;
        this.holdNanos = TimeUnit.MILLISECONDS.toNanos(holdMillis);
    }

    /**
     * The server, whose request handler runs only while {@code serving} says so (always, without a
     * switch); a request that comes while it is starting waits at most {@code holdMillis}.
     */
    static HttpServer wrap(HttpServer real, ServingSwitch serving, long holdMillis) {
        return (HttpServer) Proxy.newProxyInstance(ServingGate.class.getClassLoader(), new Class<?>[] { HttpServer.class },
                new ServingGate(real, serving, holdMillis));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if ("requestHandler".equals(method.getName()) && args != null && args.length == 1 && args[0] != null) {
            Handler<HttpServerRequest> routes = (Handler<HttpServerRequest>) args[0];
            real.requestHandler(serving == null ? routes : request -> admit(request, routes));
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

    private void admit(HttpServerRequest request, Handler<HttpServerRequest> routes) {
        if (serving.isServing()) {
            routes.handle(request);
        } else if (serving.isStarting() && holdNanos > 0) {
            hold(request, routes);
        } else {
            notServing(request);
        }
    }

    /* On the request's event loop: paused, so no byte of its body is lost while it waits. */
    private void hold(HttpServerRequest request, Handler<HttpServerRequest> routes) {
        request.pause();
        Vertx vertx = Vertx.currentContext().owner();
        long deadline = System.nanoTime() + holdNanos;
        vertx.setPeriodic(HOLD_POLL_MILLIS, timer -> {
            if (serving.isServing()) {
                vertx.cancelTimer(timer);
                routes.handle(request);
                // the router has set its body handlers by now; resume in case it left the request paused
                request.resume();
            } else if (!serving.isStarting() || System.nanoTime() - deadline > 0) {
                vertx.cancelTimer(timer);
                request.resume();
                notServing(request);
            }
        });
    }

    private static void notServing(HttpServerRequest request) {
        request.response()
                .setStatusCode(503)
                .putHeader("Content-Type", "application/json")
                .putHeader("Retry-After", "1")
                .end("{\"error\":\"starting\"}");
    }
}
