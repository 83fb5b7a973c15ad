package dev.eventbackbone.analytics;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The live dashboard: one page on {@code /} that signs in with an API key and polls the query API
 * every second, the uPlot chart library it draws with (served from its WebJar in this jar), and
 * the API's OpenAPI document on {@code /openapi.json}.
 */
@Path("/")
public final class DashboardResource {

    /** The WebJar's own directory, from its version as the jar records it, so the pom alone chooses the version. */
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/" + webJarVersion() + "/dist/";
    private static final Map<String, String[]> ASSETS = Map.of(
            "uPlot.iife.min.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"},
            "dashboard.js", new String[] {"/dashboard/dashboard.js", "text/javascript; charset=utf-8"});

    private final byte[] page = read("/dashboard/index.html");
    private final byte[] openApi = read("/dev/eventbackbone/analytics/openapi.json");

    @GET
    @Produces("text/html; charset=utf-8")
    public byte[] page() {
        return page;
    }

    /** The query API, described for clients and code generators (no key needed). */
    @GET
    @Path("openapi.json")
    @Produces("application/json")
    public byte[] openApi() {
        return openApi;
    }

    @GET
    @Path("assets/{file}")
    public Response asset(@PathParam("file") String file) {
        String[] asset = ASSETS.get(file);
        if (asset == null) {
            throw new NotFoundException();
        }
        return Response.ok(read(asset[0]), asset[1]).header("Cache-Control", "max-age=3600").build();
    }

    private static String webJarVersion() {
        Properties properties = new Properties();
        try {
            properties.load(new ByteArrayInputStream(read("/META-INF/maven/org.webjars.npm/uplot/pom.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }

    private static byte[] read(String resource) {
        try (InputStream in = DashboardResource.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
