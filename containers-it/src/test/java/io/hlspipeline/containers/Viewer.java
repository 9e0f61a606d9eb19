package io.hlspipeline.containers;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * hls.js in Debian's headless Chromium through Debian's chromedriver (never Selenium Manager), as
 * standalone's BrowserPlaybackIT runs it; reads the edge player page's {@code window.hlsState}.
 * With fake-device arguments it is also a browser publisher on ingest's Go live page.
 */
public final class Viewer implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** Selenium warns when Chromium is newer than its DevTools bindings; only WebDriver is used. */
  private static final Logger CDP_VERSION_LOG =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  private final ChromeDriver driver;

  public Viewer(Path workDir, String... extraArgs) throws Exception {
    CDP_VERSION_LOG.setLevel(Level.SEVERE);
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(workDir.resolve("chromedriver.log").toFile())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(new File(CHROMIUM.toString()));
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1280,900",
        "--user-data-dir=" + Files.createTempDirectory(workDir, "chromium-profile"));
    options.addArguments(extraArgs);
    driver = new ChromeDriver(service, options);
  }

  public void open(String url) {
    driver.get(url);
  }

  /** The value of a script run in the page ({@code return ...}). */
  public Object script(String script) {
    return driver.executeScript(script);
  }

  public void type(String elementId, String text) {
    driver.findElement(By.id(elementId)).sendKeys(text);
  }

  public void click(String elementId) {
    driver.findElement(By.id(elementId)).click();
  }

  PlayerState state() {
    return PlayerState.read(driver);
  }

  @Override
  public void close() {
    driver.quit();
  }

  /** {@code window.hlsState} of the edge's player page (see the edge's player.js). */
  record PlayerState(String engine, String fatalError, List<String> errors, double playedSeconds) {

    static PlayerState read(JavascriptExecutor js) {
      Object raw = js.executeScript("return window.hlsState || null;");
      if (!(raw instanceof Map<?, ?> state)) {
        return new PlayerState(null, null, List.of(), 0);
      }
      Object errors = state.get("errors");
      return new PlayerState(
          (String) state.get("engine"),
          (String) state.get("fatalError"),
          errors instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(),
          state.get("playedSeconds") instanceof Number n ? n.doubleValue() : 0);
    }
  }
}
