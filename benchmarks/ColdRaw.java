import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Cold start, the raw floor: one chat with java.net.http, the body written as a String, the
 * answer found with indexOf (no escapes in the fake server's answer, so none are handled here).
 * {@code java benchmarks/ColdRaw.java URL}
 */
public class ColdRaw {
    public static void main(String[] args) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0] + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        int at = body.indexOf('"', body.indexOf("\"content\":") + 10);
        System.out.println(body.substring(at + 1, body.indexOf('"', at + 1)));
    }
}
