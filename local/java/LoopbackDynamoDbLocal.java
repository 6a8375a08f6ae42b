import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts the official DynamoDB Local (same jar, same command-line options) bound to 127.0.0.1
 * only, with two guards in front of its handler, and stops it when its parent goes away.
 *
 * DynamoDB Local has no bind-address option: ServerRunner builds `new Server(port)`, whose
 * connector listens on every interface. Here the connector gets host 127.0.0.1 before start.
 * The guards: a request with an Origin header (a web page; SDK clients never send one) or a
 * Host other than 127.0.0.1:PORT / localhost:PORT (DNS rebinding) gets 403, before DynamoDB
 * Local's own CORS handling (whose default allows every origin) can see it.
 * Standard input is the lifeline: when it closes (the parent exited, however it died), the JVM
 * exits too, so no DynamoDB Local outlives podlife.
 *
 * Run as a single-file source program (`java LoopbackDynamoDbLocal.java ...`) or compiled once
 * by local/dynamodb-local.ts; arguments are DynamoDB Local's own.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    int port = 8000;
    for (int i = 0; i + 1 < args.length; i++) if (args[i].equals("-port")) port = Integer.parseInt(args[i + 1]);
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field f = DynamoDBProxyServer.class.getDeclaredField("server");
    f.setAccessible(true);
    Server server = (Server) f.get(proxy);
    for (Connector c : server.getConnectors()) {
      if (c instanceof ServerConnector sc) sc.setHost("127.0.0.1");
      else throw new IllegalStateException("unexpected connector " + c);
    }
    final String ip = "127.0.0.1:" + port;
    final String name = "localhost:" + port;
    Handler inner = server.getHandler();
    Handler.Wrapper guard = new Handler.Wrapper(inner) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String origin = request.getHeaders().get("Origin");
        String host = request.getHeaders().get("Host");
        if (origin != null || host == null || !(host.equalsIgnoreCase(ip) || host.equalsIgnoreCase(name))) {
          Response.writeError(request, response, callback, 403,
              origin != null ? "podlife: no cross-origin access to DynamoDB Local" : "podlife: Host must be " + ip);
          return true;
        }
        return super.handle(request, response, callback);
      }
    };
    server.setHandler(guard);
    Thread lifeline = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // nothing is sent; only the end of the stream matters
        }
      } catch (Exception e) {
        // the parent is gone either way
      }
      Runtime.getRuntime().halt(0);
    }, "podlife-lifeline");
    lifeline.setDaemon(true);
    lifeline.start();
    proxy.start();
    System.out.println("podlife: DynamoDB Local on " + ip);
    proxy.join();
  }
}
