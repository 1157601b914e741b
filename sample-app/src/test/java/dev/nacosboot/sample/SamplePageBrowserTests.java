package dev.nacosboot.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page in a real headless browser: Debian's {@code chromium} driven through
 * {@code chromium-driver}, both named explicitly so that Selenium never downloads a
 * browser or a driver. Outside CI the test is skipped when they are not installed; in CI
 * ({@code CI=true}, where {@code .ci/run} installs them) it fails instead.
 */
class SamplePageBrowserTests {

	private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");

	private static final String INSTALL = "Install the browser with: sudo apt-get install -y chromium chromium-driver "
			+ "(needs " + CHROMIUM + " and " + CHROMEDRIVER + ")";

	private static final Duration PATIENCE = Duration.ofSeconds(90);

	@TempDir
	static Path profile;

	private static DemoTopology topology;

	private static WebDriver browser;

	@BeforeAll
	static void startSampleAndBrowser() {
		boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		if ("true".equals(System.getenv("CI"))) {
			assertThat(installed).as(INSTALL).isTrue();
		}
		assumeTrue(installed, INSTALL);
		topology = DemoTopology.start(DemoTopology.testArguments());
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--no-first-run",
				"--window-size=1400,1100", "--user-data-dir=" + profile.toAbsolutePath());
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		browser = new ChromeDriver(service, options);
	}

	@AfterAll
	static void stopBrowserAndSample() {
		if (browser != null) {
			browser.quit();
		}
		if (topology != null) {
			topology.close();
		}
	}

	@Test
	void rolloutFormPublishesTheRuleAndTheChartMoves() throws IOException {
		browser.get("http://localhost:" + topology.consumerPort() + "/");
		// The seeded rule (v2: 20 %) is in force and traffic flows to both instances.
		await().atMost(PATIENCE).pollInSameThread().until(() -> rows("#instances tbody tr[data-version]") == 2);
		await().atMost(PATIENCE).pollInSameThread().until(() -> canary().equals("v2: 20 %"));
		await().atMost(PATIENCE).pollInSameThread().until(() -> shareOfV2() > 0 && shareOfV2() < 60);
		assertThat(rows("#config tbody tr")).isEqualTo(4);

		WebElement percent = browser.findElement(By.id("rollout-percent"));
		percent.clear();
		percent.sendKeys("100");
		browser.findElement(By.id("rollout-publish")).click();

		await().atMost(PATIENCE).pollInSameThread().until(() -> canary().equals("v2: 100 %"));
		// The chart moves: the last seconds' bars are v2 only and the 10 s share follows.
		await().atMost(PATIENCE).pollInSameThread().until(() -> shareOfV2() >= 90);
		assertThat(browser.findElement(By.id("rollout-status")).getText()).contains("v2: 100");
		Path screenshot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath();
		Files.copy(screenshot, Paths.get("target", "sample-page.png"), StandardCopyOption.REPLACE_EXISTING);
	}

	private static int rows(String selector) {
		return browser.findElements(By.cssSelector(selector)).size();
	}

	private static String canary() {
		String canary = browser.findElement(By.id("rules")).getDomAttribute("data-canary");
		return (canary != null) ? canary : "";
	}

	private static int shareOfV2() {
		String share = browser.findElement(By.id("split")).getDomAttribute("data-share-v2");
		return (share == null || share.isEmpty()) ? -1 : Integer.parseInt(share);
	}

}
