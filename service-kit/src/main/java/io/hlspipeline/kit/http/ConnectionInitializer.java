package io.hlspipeline.kit.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;

/** Builds each accepted connection's pipeline. */
final class ConnectionInitializer extends ChannelInitializer<SocketChannel> {
  private final ListenerContext shared;
  private final SslContext ssl;

  ConnectionInitializer(ListenerContext shared, SslContext ssl) {
    this.shared = shared;
    this.ssl = ssl;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    if (shared.openConnections.incrementAndGet() > shared.settings.maxConnections()
        || shared.draining) {
      shared.openConnections.decrementAndGet();
      shared.rejected("too_many_connections");
      ch.close();
      return;
    }
    shared.channels.add(ch);
    ch.closeFuture().addListener(f -> shared.openConnections.decrementAndGet());
    ChannelPipeline p = ch.pipeline();
    ConnectionDeadline deadline =
        new ConnectionDeadline(
            shared, shared.settings.headerTimeout(), shared.settings.idleTimeout());
    if (ssl != null) {
      p.addLast(ssl.newHandler(ch.alloc()));
      p.addLast(deadline);
      p.addLast(
          new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
              if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ctx.pipeline().addLast(shared.http2FrameCodec(), shared.http2Multiplex());
                deadline.http2();
              } else {
                ctx.pipeline().addLast(shared.http1Codec());
                ctx.pipeline().addLast(new HttpServerExpectContinueHandler());
                ctx.pipeline().addLast(new RequestHandler(shared, false));
              }
            }
          });
      return;
    }
    p.addLast(deadline);
    HttpServerCodec codec = shared.http1Codec();
    HttpServerUpgradeHandler upgrade =
        new HttpServerUpgradeHandler(
            codec,
            protocol -> {
              if (!AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)) {
                return null;
              }
              deadline.http2();
              return new Http2ServerUpgradeCodec(shared.http2FrameCodec(), shared.http2Multiplex());
            },
            shared.settings.maxHeaderBytes());
    p.addLast(
        new CleartextHttp2ServerUpgradeHandler(
            codec,
            upgrade,
            new io.netty.channel.ChannelHandlerAdapter() {
              @Override
              public void handlerAdded(ChannelHandlerContext ctx) {
                // Prior knowledge (the client sent the HTTP/2 preface): the HTTP/2 handlers go
                // exactly here, before the HTTP/1.1 request handler further down the pipeline.
                deadline.http2();
                ChannelHandler codec = shared.http2FrameCodec();
                ctx.pipeline().addAfter(ctx.name(), null, codec);
                ctx.pipeline()
                    .addAfter(ctx.pipeline().context(codec).name(), null, shared.http2Multiplex());
                ctx.pipeline().remove(this);
              }
            }));
    p.addLast(new HttpServerExpectContinueHandler());
    p.addLast(new RequestHandler(shared, false));
  }
}
