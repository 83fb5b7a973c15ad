package dev.eventbackbone.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.eventbackbone.testing.Http;
import dev.eventbackbone.testing.ServiceProcess;
import dev.eventbackbone.testing.ServiceProcesses;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real Chromium after {@code backbone up}: it signs in with the development
 * key, draws its charts, and the events chart rises after events are posted to the gateway (its
 * points' total: the latest point alone would fall back to zero if a minute turned meanwhile). The
 * screenshot it takes is {@code target/dashboard.png}.
 */
class DashboardIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    final ServiceProcesses processes = new ServiceProcesses();

    @TempDir
    Path dir;

    private LauncherProcess.Ports ports;
    private ServiceProcess up;
    private String key;

    @BeforeEach
    void upWithEveryService() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (.ci/run installs them: apt-get install chromium chromium-driver)");
        Path dataDir = dir.resolve("data");
        ports = LauncherProcess.Ports.free();
        up = processes.start(LauncherProcess.up(dir.resolve("up.log"), ports.upArgs(dataDir)));
        key = Files.readString(dataDir.resolve("gateway/dev-api-key")).trim();
    }

    @AfterEach
    void stop() {
        if (up != null) {
            LauncherProcess.stopCleanly(up);
        }
    }

    @Test
    void signsInDrawsTheChartsAndTheLatestPointRisesAfterEventsArePosted() throws Exception {
        post(30);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            browser.get("http://127.0.0.1:" + ports.analytics() + "/");
            browser.findElement(By.id("key")).sendKeys(key);
            browser.findElement(By.cssSelector("#signin button")).click();
            WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);
            wait.until(page -> page.findElement(By.id("dashboard")).isDisplayed());
            wait.until(page -> page.findElements(By.cssSelector("#events-chart canvas")).size() == 1
                    && page.findElements(By.cssSelector("#revenue-chart canvas")).size() == 1
                    && page.findElements(By.cssSelector("#denials-chart canvas")).size() == 1);
            wait.until(page -> charted(page) >= 30);
            long before = charted(browser);

            long posted = System.nanoTime();
            post(20);
            wait.until(page -> charted(page) >= before + 20);
            long rose = System.nanoTime();
            System.out.printf("dashboard: the events chart rose %d ms after the events were posted%n",
                    (rose - posted) / 1_000_000);

            assertThat(browser.findElement(By.id("top")).getText()).contains("page_view");
            assertThat(browser.findElement(By.id("distinct-users")).getText()).isNotEqualTo("–");
            assertThat(browser.findElement(By.id("served")).getText())
                    .contains("Served by http://127.0.0.1:" + ports.analytics());
            File screenshot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Path target = Path.of("target", "dashboard.png");
            Files.copy(screenshot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(target)).isPositive();
        } finally {
            browser.quit();
        }
    }

    /** The events the chart shows over its range. */
    private static long charted(WebDriver page) {
        return Long.parseLong(page.findElement(By.id("events-latest")).getAttribute("data-total"));
    }

    private void post(int count) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add("{\"name\":\"page_view\",\"userId\":\"u-%d\",\"value\":%d,\"occurredAt\":\"%s\"}"
                    .formatted(i % 7, 100 + i, Instant.now()));
        }
        assertThat(Http.post("http://127.0.0.1:" + ports.gateway() + "/v1/events/analytics/batch", key,
                "{\"events\":[" + String.join(",", events) + "]}").statusCode()).isEqualTo(202);
    }
}
