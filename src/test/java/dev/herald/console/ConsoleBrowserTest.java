package dev.herald.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.FastFailures;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.Receiver;
import dev.herald.testing.WithReceiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * The console in a real browser (Debian's chromium, 1280 px wide) against this Herald and a loopback receiver: every
 * flow a tenant or the operator has, through the page's labels and buttons; its dates in one format, its table rows on
 * one line, its status messages clearing, its confirmations, its charts and the dev receiver's panel. Each test leaves
 * a screenshot under target/console-screenshots; the page must raise no script error, open no dialog and cause no
 * Content-Security-Policy violation.
 */
@Slow
@QuarkusTest
@TestProfile(FastFailures.class)
class ConsoleBrowserTest extends WithReceiver implements LeavesNoDeliveries {

    static final String HOSTILE = "<img src=x onerror=alert(1)>";
    static final Path SCREENSHOTS = Path.of("target/console-screenshots");
    /** The console's one date format. */
    static final Pattern DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC$");

    /**
     * Everything on the page that looks like a date or time, in any format: text (chart titles too), tooltips and
     * typed values. What receivers sent (response excerpts, bodies) is theirs, not the console's: left out.
     */
    private static final String DATES_SHOWN = """
            () => {
              const theirs = (node) => node && node.closest('pre.excerpt, [data-testid=dev-request-body]');
              const texts = [];
              const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (!theirs(node.parentElement)) texts.push(node.textContent);
              }
              for (const node of document.querySelectorAll('[title]')) {
                if (!theirs(node)) texts.push(node.getAttribute('title'));
              }
              for (const input of document.querySelectorAll('input')) texts.push(input.value);
              const looksLikeADate = new RegExp([
                String.raw`\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?: ?UTC|Z|[+-]\\d{2}:?\\d{2})?)?`,
                String.raw`\\b\\d{1,2}/\\d{1,2}/\\d{2,4}\\b`,
                String.raw`\\b\\d{1,2}:\\d{2}(?::\\d{2})? ?(?:[AaPp][Mm]|UTC)\\b`].join('|'), 'g');
              return texts.flatMap((text) => [...text.matchAll(looksLikeADate)].map((match) => match[0]));
            }""";

    /**
     * The cells of a table's rows (details rows aside) whose content takes more than one line, and the table itself
     * when it is wider than the page or than the box it scrolls in.
     */
    private static final String WRAPPED_CELLS = """
            (testid) => {
              const table = document.querySelector('[data-testid="' + testid + '"]');
              const wrapped = [];
              for (const row of table.querySelectorAll(':scope > tbody > tr:not(.details)')) {
                // a response excerpt is a block of the receiver's text, shown as it came
                for (const cell of [...row.children].filter((c) => !c.querySelector('pre.excerpt'))) {
                  const range = document.createRange();
                  range.selectNodeContents(cell);
                  const boxes = [...range.getClientRects()].filter((box) => box.width > 0 && box.height > 0);
                  // on one line every box overlaps every other vertically
                  if (boxes.length > 0 && Math.max(...boxes.map((b) => b.top)) >= Math.min(...boxes.map((b) => b.bottom))) {
                    wrapped.push(cell.outerHTML);
                  }
                }
              }
              const box = table.parentElement;
              if (table.getBoundingClientRect().right > document.documentElement.clientWidth
                  || box.scrollWidth > box.clientWidth) {
                wrapped.push('the table is wider than the page: ' + table.getBoundingClientRect().width + ' px');
              }
              return wrapped;
            }""";

    private static Browser browser;

    @Inject
    Database database;

    private BrowserContext context;
    private Page page;
    private final List<String> problems = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void launchBrowser() throws Exception {
        browser = Browser.launch();
        PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void openPage() {
        context = browser.chromium.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setViewportSize(1280, 900).setPermissions(List.of("clipboard-read", "clipboard-write")));
        page = context.newPage();
        page.onPageError(error -> problems.add("script error: " + error));
        page.onDialog(dialog -> {
            problems.add("a dialog opened: " + dialog.message());
            dialog.dismiss();
        });
        page.onConsoleMessage(message -> {
            if (message.text().contains("Content Security Policy")) {
                problems.add("CSP violation: " + message.text());
            }
        });
    }

    @AfterEach
    void closePage(TestInfo test) {
        try {
            page.screenshot(new Page.ScreenshotOptions().setFullPage(true)
                    .setPath(SCREENSHOTS.resolve(test.getTestMethod().orElseThrow().getName() + ".png")));
        } finally {
            context.close();
        }
        assertEquals(List.of(), problems, "the page ran cleanly");
    }

    @Test
    void signInKeepsTheKeyInTheTabOnlyAndSignOutForgetsIt() {
        page.navigate(base() + "/console");
        page.keyboard().type("not-a-key"); // the field has the focus: keyboard only
        page.keyboard().press("Enter");
        assertThat(page.getByRole(AriaRole.ALERT)).containsText("Herald does not know this key");

        List<String> urls = new CopyOnWriteArrayList<>();
        List<String> keyHeaders = new CopyOnWriteArrayList<>();
        page.onRequest(request -> {
            urls.add(request.url());
            keyHeaders.add(request.url() + " " + request.headers().get("x-api-key"));
        });
        page.getByLabel("API key").fill(key);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out"))).isVisible();
        assertThat(page.getByTestId("nav-webhooks")).hasAttribute("aria-current", "page");
        assertTrue(urls.stream().noneMatch(url -> url.contains(key)), "the key is in no URL: " + urls);
        assertTrue(keyHeaders.stream().anyMatch(sent -> sent.endsWith("/graphql " + key)), "it travels as x-api-key");
        assertTrue(keyHeaders.stream().filter(sent -> sent.endsWith(" " + key)).allMatch(sent -> sent.contains("/graphql ")),
                "and only to the API: " + keyHeaders);
        assertEquals(key, page.evaluate("() => sessionStorage.getItem('herald.console.apiKey')"));
        assertEquals(List.of(), context.cookies(), "no cookie");
        assertEquals(0, ((Number) page.evaluate("() => localStorage.length")).intValue(), "nothing in local storage");
        assertTrue(!page.url().contains(key), page.url());

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
        assertThat(page.getByLabel("API key")).isVisible();
        assertNull(page.evaluate("() => sessionStorage.getItem('herald.console.apiKey')"));
    }

    @Test
    void aTenantRegistersAWebhookAndSeesItsDeliveryDelivered() throws Exception {
        receiver.answer("/orders", 200, Duration.ofMillis(150));
        assertNull(GraphQL.as(key, """
                mutation { setEventType(eventTypeInput: {name: "order.created", description: "An order was placed",
                  schema: "{\\"required\\": [\\"amount\\"]}"}) { name } }""").get("errors"));
        signIn(key);
        Locator register = form("Register a webhook");
        register.getByLabel("Provider", new Locator.GetByLabelOptions().setExact(true))
                .selectOption(String.valueOf(provider));
        register.getByLabel("Webhook URL").fill(receiver.url("/orders"));
        register.getByLabel("Description (optional)").fill("orders, <b>bold</b>");
        register.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Register webhook")).click();
        assertThat(page.getByTestId("secret-value")).hasText(Pattern.compile("^whsec_"));
        page.getByTestId("secret-panel").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Copy"))
                .click();
        assertThat(page.getByTestId("secret-panel").getByText("Copied")).isVisible();
        assertEquals(page.getByTestId("secret-value").textContent(), page.evaluate("() => navigator.clipboard.readText()"),
                "Copy puts the secret on the clipboard");
        Locator row = webhookRow(receiver.url("/orders"));
        assertThat(row.getByTestId("webhook-status")).hasText("on");
        assertThat(row.getByTestId("webhook-description")).hasText("orders, <b>bold</b>");
        String webhook = row.getAttribute("data-webhook-id");

        String event = String.valueOf(Events.post(key, Events.notification(1, provider)).get(0));
        receiver.await("/orders", r -> r.size() == 1, Duration.ofSeconds(10));
        page.getByTestId("nav-deliveries").click();
        Locator filter = form("Filter deliveries");
        filter.getByLabel("Webhook").selectOption(webhook);
        filter.getByLabel("Event ID").fill(event);
        Locator delivery = page.getByTestId("delivery-row");
        // the list polls every 5 s; Filter asks at once
        retryUntil(() -> filter.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Filter")).click(),
                () -> List.of("DELIVERED").equals(page.getByTestId("delivery-status").allTextContents().stream()
                        .map(String::strip).toList()));
        assertThat(delivery.getByTestId("delivery-event")).hasText(event);
        delivery.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Show attempts (1)")).click();
        assertThat(page.getByTestId("attempt-status-code")).hasText("200");
        assertEveryControlLabelled();
        assertDatesInOneFormat(3); // created, finished, the attempt's time; and the replay form's "since"
        assertOneLinePerRow("delivery-list");
        page.screenshot(new Page.ScreenshotOptions().setFullPage(true).setPath(SCREENSHOTS.resolve("deliveries.png")));

        page.getByTestId("nav-webhooks").click();
        assertThat(webhookRow(receiver.url("/orders")).getByTestId("webhook-success-rate")).containsText("100");
        assertEveryControlLabelled();
        assertDatesInOneFormat(1);
        assertOneLinePerRow("webhook-list");
        // the application's event types, each with its schema
        Locator type = page.getByTestId("event-type-row");
        assertThat(type).hasCount(1);
        assertThat(type.getByTestId("event-type-name")).hasText("order.created");
        assertThat(type.getByTestId("event-type-description")).hasText("An order was placed");
        type.getByText("JSON Schema").click();
        assertThat(type.locator("pre")).hasText("{\"required\": [\"amount\"]}");
        page.screenshot(new Page.ScreenshotOptions().setFullPage(true).setPath(SCREENSHOTS.resolve("webhooks.png")));

        page.getByTestId("nav-activity").click();
        Locator chart = page.locator("[data-testid=attempts-chart][data-webhook-id='" + webhook + "']");
        assertThat(chart.locator("[data-testid=chart-minute]")).hasCount(60);
        assertThat(chart.locator("[data-testid=chart-minute][data-succeeded='1']")).hasCount(1);
        // beside it, the receiver's response times: the one attempt took its 150 ms
        Locator times = page.locator("[data-testid=response-time-chart][data-webhook-id='" + webhook + "']");
        assertThat(times.locator("[data-testid=chart-minute]")).hasCount(60);
        Locator timed = times.locator("[data-testid=chart-minute]:not([data-p50=''])");
        assertThat(timed).hasCount(1);
        double p50 = Double.parseDouble(timed.getAttribute("data-p50"));
        assertTrue(p50 >= 150 && p50 < 5000, "p50 " + p50 + " ms");
        assertEquals(p50, Double.parseDouble(timed.getAttribute("data-p99")), 1e-9, "one attempt: p99 is p50");
        assertTrue(chart.boundingBox().y + chart.boundingBox().height > times.boundingBox().y
                && times.boundingBox().x > chart.boundingBox().x, "the charts stand side by side");
        assertDatesInOneFormat(120); // each minute's title
        page.screenshot(new Page.ScreenshotOptions().setFullPage(true).setPath(SCREENSHOTS.resolve("activity.png")));
    }

    @Test
    void aFailingDeliveryShowsItsAttemptsAsTextAndIsReplayed() throws Exception {
        receiver.answer("/hostile", new Receiver.Behaviour(500, Duration.ZERO, Map.of("content-type", "text/html"),
                HOSTILE));
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/hostile"));
        // the tenant's operational webhook is told of each delivery that failed for good
        String operational = GraphQL.as(key, """
                mutation { createOperationalWebhook(createOperationalWebhookInput: {webhookUrl: "%s",
                  eventTypes: ["delivery.exhausted"]}) { id } }""".formatted(receiver.url("/ops")))
                .getString("data.createOperationalWebhook.id");
        Events.post(key, Events.notifications(2, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + webhook, 2, Duration.ofSeconds(10));
        database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + operational, 2,
                Duration.ofSeconds(10));

        signIn(key);
        assertThat(page.locator("[data-testid=webhook-row][data-webhook-id='" + operational + "']")
                .getByTestId("webhook-provider")).hasText("Operational: delivery.exhausted");
        page.getByTestId("nav-deliveries").click();
        Locator filter = form("Filter deliveries");
        filter.getByLabel("Webhook").selectOption(webhook);
        filter.getByLabel("Status").selectOption("FAILED");
        filter.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Filter")).click();
        Locator failed = page.getByTestId("delivery-row");
        assertThat(failed).hasCount(2);
        Locator first = failed.first();
        first.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Show attempts (4)")).click();
        Locator attempts = page.getByTestId("attempt-row");
        assertThat(attempts).hasCount(4);
        assertThat(attempts.first().getByTestId("attempt-status-code")).hasText("500");
        assertThat(attempts.first().getByTestId("attempt-error")).hasText("http_500");
        assertThat(attempts.first().getByTestId("attempt-excerpt")).hasText(HOSTILE);
        assertEquals(0, page.locator("main img").count(), "the receiver's answer is text, not markup");
        page.screenshot(new Page.ScreenshotOptions().setFullPage(true).setPath(SCREENSHOTS.resolve("attempts.png")));

        receiver.answer("/hostile", 200, Duration.ZERO);
        first.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Replay")).click();
        assertThat(page.getByRole(AriaRole.STATUS)).containsText("replayed");
        receiver.await("/hostile", r -> r.size() == 2 * 4 + 1, Duration.ofSeconds(10));
        database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + webhook, 1, Duration.ofSeconds(10));

        Locator replay = form("Replay failed deliveries");
        replay.getByLabel("Webhook to replay").selectOption(webhook);
        replay.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Replay failed since")).click();
        database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + webhook, 2, Duration.ofSeconds(10));
        filter.getByLabel("Status").selectOption("DELIVERED");
        filter.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Filter")).click();
        assertThat(page.getByTestId("delivery-row")).hasCount(2);
        // the operational deliveries are in the log like any other
        filter.getByLabel("Webhook").selectOption(operational);
        filter.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Filter")).click();
        assertThat(page.getByTestId("delivery-row")).hasCount(2);
    }

    @Test
    void aWebhookThatWasOffRecoversTheEventsItMissed() throws Exception {
        receiver.answer("/was-off", 200, Duration.ZERO);
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/was-off"));
        GraphQL.as(key, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", status: 0}) { id } }"
                .formatted(webhook));
        Events.post(key, Events.notifications(2, provider));
        database.awaitCount(Database.WAITING_EVENTS + " WHERE e.provider_id = " + provider, 0, Duration.ofSeconds(10));
        GraphQL.as(key, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", status: 1}) { id } }"
                .formatted(webhook));

        signIn(key);
        page.getByTestId("nav-deliveries").click();
        Locator recover = form("Recover missed events");
        recover.getByLabel("Webhook to recover").selectOption(webhook);
        recover.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Recover missed events")).click();
        assertThat(page.getByRole(AriaRole.STATUS)).containsText("Recovered 2 missed events for webhook " + webhook);
        receiver.await("/was-off", r -> r.size() == 2, Duration.ofSeconds(10));
    }

    @Test
    void anAnswerOvertakenByANewerRequestIsNotDrawn() throws Exception {
        receiver.answer("/mixed", 500, Duration.ZERO);
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/mixed"));
        Events.post(key, Events.notification(1, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + webhook, 1, Duration.ofSeconds(10));
        receiver.answer("/mixed", 200, Duration.ZERO);
        Events.post(key, Events.notification(2, provider));
        database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + webhook, 1, Duration.ofSeconds(10));

        signIn(key);
        // the first, unfiltered read of the deliveries is held back until a filtered one has been drawn
        List<com.microsoft.playwright.Route> held = new CopyOnWriteArrayList<>();
        page.route("**/graphql", route -> {
            String body = route.request().postData();
            if (held.isEmpty() && body.contains("ConsoleDeliveries") && body.contains("\"status\":null")) {
                held.add(route);
            } else {
                route.resume();
            }
        });
        page.getByTestId("nav-deliveries").click();
        Locator filter = form("Filter deliveries");
        filter.getByLabel("Status").selectOption("FAILED");
        filter.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Filter")).click();
        assertThat(page.getByTestId("delivery-row")).hasCount(1);
        assertEquals(1, held.size(), "the first read was held");
        held.get(0).resume();
        page.waitForTimeout(1500); // the old answer arrives meanwhile
        assertEquals(List.of("FAILED"), page.getByTestId("delivery-status").allTextContents().stream()
                .map(String::strip).toList(), "the list still shows what the filter asks for");
    }

    @Test
    void aTenantEditsSwitchesOffRotatesAndDeletesAWebhook() throws Exception {
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/before"));
        signIn(key);
        Locator row = page.locator("[data-testid=webhook-row][data-webhook-id='" + webhook + "']");
        Locator actions = actionsOf(webhook);
        actions.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Edit")).click();
        Locator edit = form("Edit webhook " + webhook);
        // while the editor is open the webhook is switched off elsewhere (as auto-disable does): saving an edit of
        // its URL must not switch it back on
        GraphQL.as(key, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", status: 0}) { id } }"
                .formatted(webhook));
        edit.getByLabel("Webhook URL").fill(receiver.url("/after"));
        edit.getByLabel("Description").fill("edited");
        edit.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save")).click();
        assertThat(row.getByTestId("webhook-url").locator(".url")).hasText(receiver.url("/after"));
        assertThat(row.getByTestId("webhook-description")).hasText("edited");
        assertThat(row.getByTestId("webhook-status")).hasText("off");
        assertEquals(0, database.count("webhook WHERE status = 1 AND id = " + webhook), "still off");

        actions.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Switch on")).click();
        assertThat(row.getByTestId("webhook-status")).hasText("on");
        // what an action did is said, and the saying goes away by itself
        Locator status = page.locator("#status");
        assertThat(status).hasText("Webhook " + webhook + " switched on");
        assertThat(status).hasText(Pattern.compile("^$"), new LocatorAssertions.HasTextOptions().setTimeout(15_000));

        // switching off, rotating the secret and deleting ask first; Cancel leaves the webhook as it was
        String before = secretOf(webhook);
        for (String action : List.of("Switch off", "Rotate secret", "Delete")) {
            actions.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(action)).click();
            Locator confirmation = actions.getByTestId("confirmation");
            assertThat(confirmation).isVisible();
            assertThat(confirmation.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Cancel")))
                    .isFocused();
            if (action.equals("Rotate secret")) {
                page.screenshot(new Page.ScreenshotOptions().setFullPage(true)
                        .setPath(SCREENSHOTS.resolve("confirmation.png")));
            }
            confirmation.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Cancel")).click();
            assertThat(confirmation).hasCount(0);
            assertThat(actions.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(action))).isFocused();
        }
        assertEquals(1, database.count("webhook WHERE status = 1 AND id = " + webhook), "still on");
        assertEquals(before, secretOf(webhook), "the same secret");
        assertThat(row.getByTestId("webhook-status")).hasText("on");

        // the editor asks too when saving switches the webhook off
        actions.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Edit")).click();
        edit.getByLabel("Active (deliveries are sent)").uncheck();
        edit.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save")).click();
        edit.getByTestId("confirmation").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Cancel"))
                .click();
        edit.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Cancel")).click();
        assertThat(edit).hasCount(0);
        assertEquals(1, database.count("webhook WHERE status = 1 AND id = " + webhook), "the editor left it on");

        confirm(actions, "Switch off", "Confirm switch off");
        assertThat(row.getByTestId("webhook-status")).hasText("off");
        assertEquals(0, database.count("webhook WHERE status = 1 AND id = " + webhook));

        confirm(actions, "Rotate secret", "Confirm rotate");
        assertThat(page.getByTestId("secret-value")).hasText(Pattern.compile("^whsec_"));
        String shown = page.getByTestId("secret-value").textContent();
        assertNotEquals(before, shown);
        assertEquals(secretOf(webhook), shown, "the secret shown is the webhook's new one");
        assertThat(page.getByTestId("secret-panel")).containsText(Pattern.compile(
                "keeps signing until \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC\\."));
        assertDatesInOneFormat(1);

        confirm(actions, "Delete", "Confirm delete");
        assertThat(row).hasCount(0);
        assertEquals(0, database.count("webhook WHERE id = " + webhook));
        // nothing of the deleted webhook stays on the page: not even the secret it was just given
        assertThat(page.getByTestId("secret-panel")).hasCount(0);
    }

    @Test
    void tablesKeepEachRowOnOneLineAndDatesInOneFormat() throws Exception {
        String longPath = "/a-rather-long-path/that/keeps/going/on-and-on/orders-of-every-tenant-in-every-region";
        receiver.answer(longPath, 200, Duration.ZERO);
        receiver.answer("/failing", 500, Duration.ZERO);
        String longUrl = receiver.url(longPath);
        String delivering = GraphQL.newWebhook(key, provider, longUrl);
        GraphQL.as(key, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", description: \"%s\"}) { id } }"
                .formatted(delivering, "orders of every tenant in every region, and a description that goes on"));
        String failing = GraphQL.newWebhook(key, provider, receiver.url("/failing"));
        Events.post(key, Events.notifications(2, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + failing, 2, Duration.ofSeconds(10));
        database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + delivering, 2, Duration.ofSeconds(10));
        // as auto-disable leaves it: off, with a reason that carries a time
        database.query("UPDATE webhook SET status = 0, disabled_reason = 'switched off by Herald: only failures since"
                + " 2026-12-06T21:15:31Z (last error: http_500)' WHERE id = " + failing);

        signIn(key);
        Locator off = page.locator("[data-testid=webhook-row][data-webhook-id='" + failing + "']");
        assertThat(off.getByTestId("webhook-status")).hasText("off");
        assertThat(off.getByTestId("webhook-last-error")).hasText("http_500");
        assertEquals("switched off by Herald: only failures since 2026-12-06 21:15:31 UTC (last error: http_500)",
                off.getByTestId("webhook-status").getAttribute("title"));
        actionsOf(failing);
        assertThat(page.getByTestId("webhook-disabled-reason")).hasText(
                "switched off by Herald: only failures since 2026-12-06 21:15:31 UTC (last error: http_500)");
        assertOneLinePerRow("webhook-list");
        assertOneLinePerRow("provider-list");
        assertDatesInOneFormat(4);
        page.screenshot(new Page.ScreenshotOptions().setFullPage(true).setPath(SCREENSHOTS.resolve("webhook-table.png")));

        page.getByTestId("nav-deliveries").click();
        assertThat(page.getByTestId("delivery-row")).hasCount(4);
        page.getByTestId("delivery-row").first().getByRole(AriaRole.BUTTON,
                new Locator.GetByRoleOptions().setName(Pattern.compile("^Show attempts"))).click();
        assertThat(page.getByTestId("attempt-row").first()).isVisible();
        assertOneLinePerRow("delivery-list");
        assertOneLinePerRow("attempt-list");
        assertDatesInOneFormat(8);
    }

    @Test
    void theDevReceiverShowsItsUrlAndWhatItReceived() throws Exception {
        signIn(key);
        Locator panel = page.getByTestId("dev-receiver");
        String url = base() + "/dev/echo";
        assertThat(panel.getByTestId("dev-receiver-url")).hasText(url);
        panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Copy")).click();
        assertThat(panel.getByText("Copied")).isVisible();

        // its URL, copied, registered as a webhook through the form
        Locator register = form("Register a webhook");
        register.getByLabel("Provider", new Locator.GetByLabelOptions().setExact(true))
                .selectOption(String.valueOf(provider));
        register.getByLabel("Webhook URL").fill((String) page.evaluate("() => navigator.clipboard.readText()"));
        register.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Register webhook")).click();
        assertThat(webhookRow(url)).hasCount(1);

        String body = Events.notification(4242, provider);
        Events.post(key, body);
        String delivered = await().atMost(Duration.ofSeconds(10)).until(() -> echoed(body), id -> id != null);
        String forged = "msg_forged_" + System.nanoTime();
        RestAssured.given().contentType("application/json").header("webhook-id", forged)
                .header("webhook-timestamp", "1700000000").header("webhook-signature", "v1,AAAA")
                .body("{\"forged\": true}").post("/dev/echo").then().statusCode(204);

        // the panel reads the receiver with the page's 5 s poll
        Locator signed = devRequest(delivered);
        assertThat(signed.getByTestId("dev-request-signature")).hasText("verified");
        assertThat(devRequest(forged).getByTestId("dev-request-signature")).hasText("not verified");
        assertOneLinePerRow("dev-request-list");
        assertDatesInOneFormat(2);
        assertEveryControlLabelled();
        page.screenshot(new Page.ScreenshotOptions().setFullPage(true).setPath(SCREENSHOTS.resolve("dev-receiver.png")));
    }

    @Test
    void theAdminCreatesAnApplicationAndSeesTheEndpointsFailing() throws Exception {
        receiver.answer("/down", 503, Duration.ZERO);
        String failing = GraphQL.newWebhook(key, provider, receiver.url("/down"));
        Events.post(key, Events.notification(1, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + failing, 1, Duration.ofSeconds(10));

        // the test database is shared by every test class, and others leave endpoints failing: this one must be
        // among the ten longest runs whatever ran before
        database.query("UPDATE endpoint_health SET consecutive_failures = consecutive_failures + 1000000"
                + " WHERE webhook_id = " + failing);
        signIn(GraphQL.ADMIN_KEY);
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Operator"))).isVisible();
        assertThat(page.getByTestId("backlog")).hasText(Pattern.compile("^\\d+$"));
        assertThat(page.getByTestId("failing-endpoint-row").filter(new Locator.FilterOptions()
                .setHasText(receiver.url("/down")))).hasCount(1);

        page.getByLabel("Application name").fill(HOSTILE);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create application")).click();
        String apiKey = page.getByTestId("new-api-key").textContent();
        assertTrue(apiKey.length() > 20, apiKey);
        assertThat(page.getByTestId("application-row").first().locator("td")).hasText(HOSTILE);
        assertEquals(0, page.locator("main img").count(), "a tenant's name is text, not markup");
        assertNull(GraphQL.as(apiKey, "{ providers { providerId } }").get("errors"), "the key shown works");
        // the last hour of the whole Herald: this test's four failed attempts among the failed ones, and the backlog
        // as the gauges record it each minute
        Locator deliveries = page.locator("[data-testid=delivery-chart] [data-testid=chart-minute]");
        assertThat(deliveries).hasCount(60);
        assertTrue(deliveries.evaluateAll("minutes => minutes.reduce((sum, m) => sum + Number(m.dataset.failed), 0)")
                instanceof Number failed && failed.intValue() >= 4, "failed attempts drawn");
        Locator backlog = page.locator("[data-testid=backlog-chart] [data-testid=chart-minute]");
        assertThat(backlog).hasCount(60);
        assertThat(page.locator("[data-testid=backlog-chart] [data-testid=chart-minute]:not([data-backlog=''])").first())
                .isAttached();
        assertOneLinePerRow("failing-endpoint-list");
        assertOneLinePerRow("application-list");
        assertDatesInOneFormat(120);
        assertEveryControlLabelled();
        page.screenshot(new Page.ScreenshotOptions().setFullPage(true).setPath(SCREENSHOTS.resolve("operator.png")));
    }

    @Test
    void aPortalTokenSignsInToItsWebhookOnlyReadsItAndIsRefusedOutsideIt() throws Exception {
        receiver.answer("/mine", 200, Duration.ZERO);
        String mine = GraphQL.newWebhook(key, provider, receiver.url("/mine"));
        String other = GraphQL.newWebhook(key, provider, receiver.url("/other"));
        Events.post(key, Events.notification(1, provider));
        receiver.await("/mine", r -> r.size() == 1, Duration.ofSeconds(10));
        String token = GraphQL.as(key, """
                mutation { createPortalToken(webhookId: "%s", access: READ, ttl: "15m") { token } }"""
                .formatted(mine)).getString("data.createPortalToken.token");

        // handed over in the fragment, which no server sees; kept in the tab, taken out of the address
        page.navigate(base() + "/console/#token=" + token);
        assertThat(page.getByText("Portal: webhook " + mine + ", read only")).isVisible();
        assertThat(page.getByTestId("webhook-row")).hasCount(1);
        assertThat(webhookRow(receiver.url("/mine"))).isVisible();
        assertTrue(!page.url().contains(token), page.url());
        assertEquals(token, page.evaluate("() => sessionStorage.getItem('herald.console.apiKey')"));
        // nothing to change: no form to register, no provider to create, no buttons on its row
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Register a webhook")))
                .hasCount(0);
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Create a provider")))
                .hasCount(0);
        assertThat(actionsOf(mine).getByText("Read only: this portal token cannot change webhooks.")).isVisible();
        assertThat(page.locator("#actions-of-" + mine).getByRole(AriaRole.BUTTON)).hasCount(0);
        page.getByTestId("nav-deliveries").click();
        assertThat(page.getByTestId("delivery-row")).hasCount(1);
        assertThat(page.getByTestId("delivery-webhook")).containsText(mine);

        // what the page could ask outside its scope, Herald refuses
        String refused = (String) page.evaluate("""
                async ([webhook]) => {
                  const answer = await fetch('/graphql', {method: 'POST', headers: {'content-type': 'application/json',
                    'x-api-key': sessionStorage.getItem('herald.console.apiKey')},
                    body: JSON.stringify({query: `{ deliveries(webhookId: "${webhook}") { totalCount } }`})});
                  return (await answer.json()).errors[0].message;
                }""", List.of(other));
        assertEquals("webhook " + other + " is outside this portal token's scope", refused);
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Replay"))).hasCount(0);
    }

    @Test
    void anApplicationsOwnPageEmbedsTheConsoleWithAManageToken() throws Exception {
        String mine = GraphQL.newWebhook(key, provider, receiver.url("/embedded"));
        String token = GraphQL.as(key, """
                mutation { createPortalToken(providerId: %d, access: MANAGE, ttl: "1h") { token } }"""
                .formatted(provider)).getString("data.createPortalToken.token");
        // the application's page, on another origin (herald.console.frame-ancestors allows http://127.0.0.1:*)
        receiver.answer("/portal", new Receiver.Behaviour(200, Duration.ZERO, Map.of("Content-Type", "text/html"),
                "<!doctype html><title>Customer portal</title><iframe title=\"Webhooks\" width=\"1200\""
                        + " height=\"800\" src=\"" + base() + "/console/#token=" + token + "\"></iframe>"));
        page.navigate(receiver.url("/portal"));

        FrameLocator console = page.frameLocator("iframe");
        assertThat(console.getByText("Portal: the webhooks of provider " + provider)).isVisible();
        Locator row = console.getByTestId("webhook-row");
        assertThat(row).hasCount(1);
        row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Actions")).click();
        confirm(console.locator("#actions-of-" + mine), "Switch off", "Confirm switch off");
        assertThat(row.getByTestId("webhook-status")).hasText("off");
        assertEquals(1, database.count("webhook WHERE id = " + mine + " AND status = 0"));
    }

    private void signIn(String apiKey) {
        page.navigate(base() + "/console/");
        page.getByLabel("API key").fill(apiKey);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out"))).isVisible();
    }

    /** Every field has a label and every button a name, so that screen readers and keyboards can use them. */
    private void assertEveryControlLabelled() {
        assertEquals(List.of(), page.evaluate("""
                () => [...document.querySelectorAll('input, select, textarea')]
                        .filter((field) => field.labels.length === 0).map((field) => field.outerHTML)
                    .concat([...document.querySelectorAll('button')]
                        .filter((button) => !button.textContent.trim() && !button.getAttribute('aria-label'))
                        .map((button) => button.outerHTML))"""));
    }

    /** Every date on the page in the console's one format, and at least {@code atLeast} of them. */
    @SuppressWarnings("unchecked")
    private void assertDatesInOneFormat(int atLeast) {
        List<String> dates = (List<String>) page.evaluate(DATES_SHOWN);
        assertTrue(dates.size() >= atLeast, "dates on the page: " + dates);
        assertEquals(List.of(), dates.stream().filter(date -> !DATE.matcher(date).matches()).distinct().toList(),
                "dates in another format");
    }

    /** The table's rows each on one line, and the table no wider than the page. */
    private void assertOneLinePerRow(String table) {
        assertEquals(List.of(), page.evaluate(WRAPPED_CELLS, table), "cells of " + table + " on more than one line");
    }

    /** The row of buttons under a webhook's row, opened with its "Actions" button. */
    private Locator actionsOf(String webhook) {
        Locator toggle = page.locator("[data-testid=webhook-row][data-webhook-id='" + webhook + "']")
                .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Actions"));
        if (!"true".equals(toggle.getAttribute("aria-expanded"))) {
            toggle.click();
        }
        Locator actions = page.locator("#actions-of-" + webhook);
        assertThat(actions).isVisible();
        return actions;
    }

    /** Clicks {@code action}, then its confirmation's {@code confirm} button. */
    private static void confirm(Locator actions, String action, String confirm) {
        actions.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(action)).click();
        actions.getByTestId("confirmation").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(confirm))
                .click();
    }

    private Locator devRequest(String messageId) {
        return page.getByTestId("dev-request").filter(new Locator.FilterOptions().setHas(
                page.getByTestId("dev-request-id").getByText(messageId, new Locator.GetByTextOptions().setExact(true))));
    }

    /** The webhook-id of the request the dev receiver kept with this body, or null. */
    private static String echoed(String body) {
        List<Map<String, Object>> kept = RestAssured.given().get("/dev/echo").then().statusCode(200).extract()
                .jsonPath().getList("$");
        return kept.stream().filter(r -> body.equals(r.get("body"))).map(r -> (String) r.get("webhookId")).findFirst()
                .orElse(null);
    }

    private Locator form(String name) {
        return page.getByRole(AriaRole.FORM, new Page.GetByRoleOptions().setName(name));
    }

    private Locator webhookRow(String url) {
        return page.getByTestId("webhook-row").filter(new Locator.FilterOptions().setHas(
                page.getByTestId("webhook-url").getByText(url, new Locator.GetByTextOptions().setExact(true))));
    }

    private String secretOf(String webhook) {
        return GraphQL.as(key, "{ webhookSecret(webhookId: \"" + webhook + "\") { secret } }")
                .getString("data.webhookSecret.secret");
    }

    /**
     * Runs {@code action}, then again each second until {@code done} holds, for at most 20 s. Polls in the test's
     * thread: Playwright is driven from the thread that made it.
     */
    private static void retryUntil(Runnable action, java.util.function.BooleanSupplier done) {
        action.run();
        await("the page showing it").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1))
                .pollInSameThread().until(() -> {
                    if (done.getAsBoolean()) {
                        return true;
                    }
                    action.run();
                    return false;
                });
    }

    private static String base() {
        return "http://localhost:" + RestAssured.port;
    }
}
