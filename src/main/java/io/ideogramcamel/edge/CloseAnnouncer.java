package io.ideogramcamel.edge;

import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Sits on a connection's outgoing side: a 413, 414 or 431 answer gets {@code Connection: close},
 * and the connection is closed once it is written. Vert.x closes after 414 and 431 without saying
 * so, and a client reusing the connection lost its next request; after 413 it would otherwise keep
 * reading an oversized body to its end. The close is lingering: the output is shut first (the
 * client reads the whole answer), the rest of the body is dropped for a bounded moment, then the
 * connection closes, so the client's unsent bytes do not turn into a reset that hides the answer.
 */
final class CloseAnnouncer extends ChannelOutboundHandlerAdapter {

    private static final Set<Integer> CLOSING = Set.of(413, 414, 431);

    private final int lingerMillis;
    private boolean closeAfterAnswer;

    private CloseAnnouncer(int lingerMillis) {
        this.lingerMillis = lingerMillis;
    }

    static void install(ChannelPipeline pipeline, int lingerMillis) {
        if (pipeline.get(CloseAnnouncer.class) == null && pipeline.get("handler") != null) {
            pipeline.addBefore("handler", "closeAnnouncer", new CloseAnnouncer(lingerMillis));
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response && CLOSING.contains(response.status().code())) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            closeAfterAnswer = true;
        }
        if (closeAfterAnswer && msg instanceof LastHttpContent) {
            closeAfterAnswer = false;
            promise = promise.unvoid();
            promise.addListener((ChannelFutureListener) written -> lingerThenClose(written.channel()));
        }
        super.write(ctx, msg, promise);
    }

    private void lingerThenClose(Channel channel) {
        if (!(channel instanceof DuplexChannel duplex) || lingerMillis == 0) {
            channel.close();
            return;
        }
        duplex.shutdownOutput().addListener(shut ->
                channel.eventLoop().schedule(() -> channel.close(), lingerMillis, TimeUnit.MILLISECONDS));
    }
}
