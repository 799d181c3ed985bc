package dev.parley.cli;

import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;

/**
 * Runs an action on SIGHUP, where the JDK lets a program see signals: through
 * {@code sun.misc.Signal}, found by reflection so that Parley needs no module beyond
 * {@code java.base} and {@code java.net.http}. That class lives in {@code jdk.unsupported}, which
 * a program on the class path always has, and one on the module path has when it is resolved
 * (for example with {@code --add-modules jdk.unsupported}); without it, or on a platform without
 * SIGHUP, nothing is installed and this says so at DEBUG.
 */
final class Hangup {

    private static final System.Logger LOG = System.getLogger("dev.parley.gateway");

    private Hangup() {
    }

    /** Installs {@code action} as the SIGHUP handler. @return whether it was installed */
    static boolean onSignal(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            InvocationHandler ih = (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                    try {
                        action.run();
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "SIGHUP: the reload failed: {0}", e.getMessage());
                    }
                    return null;
                }
                return switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "SIGHUP handler";
                };
            };
            Object handler = Proxy.newProxyInstance(Hangup.class.getClassLoader(), new Class<?>[] {handlerType}, ih);
            Object hup = signal.getConstructor(String.class).newInstance("HUP");
            signal.getMethod("handle", signal, handlerType).invoke(null, hup, handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.DEBUG, "SIGHUP reloads are not available here ({0}); the file is still reloaded when it changes",
                    e.toString());
            return false;
        }
    }
}
