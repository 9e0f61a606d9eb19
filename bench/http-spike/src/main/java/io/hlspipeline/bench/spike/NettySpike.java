package io.hlspipeline.bench.spike;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Netty 4.2 on the native epoll transport: one event loop group (default size: 2 x available
 * processors) for accepting and I/O, {@link HttpServerCodec}, and a handler that answers every
 * request with a duplicate of one unreleasable direct buffer (no copy per request).
 */
final class NettySpike {
  private NettySpike() {}

  static void run(int port, SpikeMain.Bodies bodies) throws Exception {
    Epoll.ensureAvailability();
    ByteBuf playlist = direct(bodies.playlist());
    ByteBuf segment = direct(bodies.segment());
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
    try {
      ServerBootstrap bootstrap =
          new ServerBootstrap()
              .group(group)
              .channel(EpollServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 4096)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(new HttpServerCodec(), new Handler(playlist, segment));
                    }
                  });
      var channel = bootstrap.bind("127.0.0.1", port).sync().channel();
      System.out.println(
          "netty "
              + io.netty.util.Version.identify().get("netty-codec-http").artifactVersion()
              + " (epoll) listening on 127.0.0.1:"
              + port);
      channel.closeFuture().sync();
    } finally {
      group.shutdownGracefully();
    }
  }

  private static ByteBuf direct(byte[] bytes) {
    return Unpooled.unreleasableBuffer(
        Unpooled.directBuffer(bytes.length).writeBytes(bytes).asReadOnly());
  }

  private static final class Handler extends SimpleChannelInboundHandler<HttpObject> {
    private final ByteBuf playlist;
    private final ByteBuf segment;

    Handler(ByteBuf playlist, ByteBuf segment) {
      this.playlist = playlist;
      this.segment = segment;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (!(msg instanceof HttpRequest request)) {
        return; // body chunks / LastHttpContent of a GET: nothing to do
      }
      String uri = request.uri();
      ByteBuf body;
      String type;
      HttpResponseStatus status = HttpResponseStatus.OK;
      if (uri.equals(SpikeMain.PLAYLIST_PATH)) {
        body = playlist.duplicate();
        type = SpikeMain.PLAYLIST_TYPE;
      } else if (uri.equals(SpikeMain.SEGMENT_PATH)) {
        body = segment.duplicate();
        type = SpikeMain.SEGMENT_TYPE;
      } else {
        body = Unpooled.EMPTY_BUFFER;
        type = "text/plain";
        status = HttpResponseStatus.NOT_FOUND;
      }
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (keepAlive) {
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
          response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.write(response);
      } else {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.write(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
