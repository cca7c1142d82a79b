// Readiness probe for scripts/infra/kafka.sh (run with the Java source launcher:
//   java -cp 'libs/*' scripts/infra/kafka/KafkaReady.java BOOTSTRAP TIMEOUT_SECONDS [PID]
// Succeeds (exit 0) once the broker answers real metadata requests:
// describeCluster lists at least one broker, a controller is known, and listTopics works.
// Exit 1 on timeout, exit 2 if PID (the broker we started) dies while waiting.
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.Node;

public class KafkaReady {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KafkaReady BOOTSTRAP TIMEOUT_SECONDS [PID]");
            System.exit(64);
        }
        String bootstrap = args[0];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        long pid = args.length > 2 && !args[2].isEmpty() ? Long.parseLong(args[2]) : -1;

        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        p.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "500");
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "infra-ready-probe");

        String last = "no answer yet";
        try (Admin admin = Admin.create(p)) {
            while (System.nanoTime() < deadline) {
                if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false) {
                    System.err.println("broker process " + pid + " exited while waiting (" + last + ")");
                    System.exit(2);
                }
                try {
                    DescribeClusterResult dc = admin.describeCluster();
                    var nodes = dc.nodes().get(5, TimeUnit.SECONDS);
                    Node controller = dc.controller().get(5, TimeUnit.SECONDS);
                    String clusterId = dc.clusterId().get(5, TimeUnit.SECONDS);
                    int topics = admin.listTopics(new ListTopicsOptions().listInternal(true))
                            .names().get(5, TimeUnit.SECONDS).size();
                    if (!nodes.isEmpty() && controller != null && !controller.isEmpty()) {
                        System.out.println("ready: cluster " + clusterId + ", " + nodes.size()
                                + " broker(s), " + topics + " topic(s)");
                        return;
                    }
                    last = "metadata incomplete (nodes=" + nodes.size() + ")";
                } catch (Exception e) {
                    Throwable c = e.getCause() != null ? e.getCause() : e;
                    last = c.getClass().getSimpleName() + ": " + c.getMessage();
                }
                Thread.sleep(250);
            }
        }
        System.err.println("timed out waiting for " + bootstrap + " (" + last + ")");
        System.exit(1);
    }
}
