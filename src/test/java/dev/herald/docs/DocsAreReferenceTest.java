package dev.herald.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * README.md and every {@code docs/**}{@code /*.md} are a reference of the product as it is, not a diary of the work
 * that made it; README.md stays short enough to read; and no relative link in them leads nowhere. bench/README.md
 * keeps the same rules, its figures table's date aside.
 *
 * <p>
 * The rules, applied line by line (a line is "in a fence" from a line opening with three backticks or tildes to the
 * line that closes it, both included):
 * <ul>
 * <li>Everywhere, fences included (case-insensitive): the words {@code today}, {@code yesterday}, {@code this session},
 * {@code before this fix}, {@code before these fixes} (or {@code before the fix}), and an issue reference written
 * with the word: {@code issue 30}, {@code issue #12}, {@code issues 3}.</li>
 * <li>Outside fences, after the targets of Markdown links are removed (they are checked as links):
 * <ul>
 * <li>{@code #} and digits used as an issue reference: {@code #123} not preceded by a letter, digit or {@code &}
 * (an HTML entity), or {@code name#123} ({@code quarkus#32870}).</li>
 * <li>a date {@code YYYY-MM-DD} not followed by {@code T} and a digit. A run is dated with a plain date; an example
 * value in prose is a timestamp with its time ({@code 2026-12-03T06:52:11Z} in a {@code disabledReason}), and
 * example answers in fenced blocks (JSON, GraphQL, SQL) may hold any date.</li>
 * </ul>
 * </li>
 * </ul>
 * Inline code spans are not exempt: a run's date in backticks is still a run's date.
 *
 * <p>
 * Links: every {@code [text](target)}, {@code ![alt](target)} and HTML {@code src}/{@code href} outside fences and
 * inline code whose target has no scheme ({@code https:}, {@code mailto:}) must name a file or folder that exists,
 * relative to the document; a {@code #fragment} on a Markdown file (or alone, for the document itself) must name
 * one of its headings, slugged as GitHub does (lower case, punctuation other than {@code -} and {@code _} dropped,
 * spaces to {@code -}, repeats numbered {@code -1}, {@code -2}).
 */
class DocsAreReferenceTest {

    static final Path README = Path.of("README.md");
    static final Path DOCS = Path.of("docs");
    static final Path BENCH_README = Path.of("bench", "README.md");
    static final int MAX_README_LINES = 350;

    private static final List<Rule> EVERYWHERE = List.of(
            new Rule("a day named relative to when it was written", "(?i)\\b(?:today|yesterday)\\b"),
            new Rule("a session of the work", "(?i)\\bthis\\s+session\\b"),
            new Rule("the history of a fix", "(?i)\\bbefore\\s+(?:this|these|the)\\s+fix(?:es)?\\b"),
            new Rule("an issue reference", "(?i)\\bissues?\\s*#?\\s*\\d+\\b"));

    private static final Rule ISSUE_NUMBER =
            new Rule("an issue reference", "(?<![&\\p{Alnum}])#\\d+\\b|\\b\\p{Alpha}[\\w.-]*#\\d+\\b");
    private static final List<Rule> OUTSIDE_FENCES = List.of(ISSUE_NUMBER,
            new Rule("the date of a run", "\\b\\d{4}-\\d{2}-\\d{2}\\b(?!T\\d)"));

    private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(`{3,}|~{3,})");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
    private static final Pattern MARKDOWN_LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern HTML_LINK = Pattern.compile("(?i)\\b(?:src|href)\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    private static final Pattern HEADING = Pattern.compile("^\\s{0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");

    @Test
    void readmeIsAtMost350Lines() throws IOException {
        int lines = Files.readAllLines(README).size();
        assertTrue(lines <= MAX_README_LINES, "README.md has " + lines + " lines; at most " + MAX_README_LINES
                + ": move what is longer to docs/ and link to it");
    }

    @Test
    void noDiaryInReadmeOrDocs() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path document : documents()) {
            for (Line line : lines(document)) {
                for (Rule rule : EVERYWHERE) {
                    rule.check(line, line.text(), found);
                }
                if (!line.inFence()) {
                    String prose = MARKDOWN_LINK.matcher(line.text()).replaceAll("[]");
                    for (Rule rule : OUTSIDE_FENCES) {
                        rule.check(line, prose, found);
                    }
                }
            }
        }
        assertTrue(found.isEmpty(), "README.md and docs/ describe the product as it is, without dates of runs, issue"
                + " numbers or the history of the work:\n" + String.join("\n", found));
    }

    /**
     * bench/README.md is a reference too: no diary, at most 350 lines. Its one figures table carries the date of its
     * run, so dates are allowed there; the raw runs live in bench/results/ under their dates.
     */
    @Test
    void benchReadmeIsAReferenceToo() throws IOException {
        List<String> found = new ArrayList<>();
        for (Line line : lines(BENCH_README)) {
            for (Rule rule : EVERYWHERE) {
                rule.check(line, line.text(), found);
            }
            if (!line.inFence()) {
                ISSUE_NUMBER.check(line, MARKDOWN_LINK.matcher(line.text()).replaceAll("[]"), found);
            }
        }
        assertTrue(found.isEmpty(), "bench/README.md describes the benchmark as it is:\n" + String.join("\n", found));
        int lines = Files.readAllLines(BENCH_README).size();
        assertTrue(lines <= MAX_README_LINES, "bench/README.md has " + lines + " lines; at most " + MAX_README_LINES
                + ": keep raw runs in bench/results/");
    }

    @Test
    void everyRelativeLinkLeadsSomewhere() throws IOException {
        Map<Path, Set<String>> anchors = new HashMap<>();
        List<String> broken = new ArrayList<>();
        List<Path> linking = new ArrayList<>(documents());
        linking.add(BENCH_README);
        for (Path document : linking) {
            for (Line line : lines(document)) {
                if (line.inFence()) {
                    continue;
                }
                String text = CODE_SPAN.matcher(line.text()).replaceAll("");
                for (Pattern link : List.of(MARKDOWN_LINK, HTML_LINK)) {
                    Matcher m = link.matcher(text);
                    while (m.find()) {
                        String problem = problem(document, m.group(1), anchors);
                        if (problem != null) {
                            broken.add(line.where() + ": " + m.group(1) + ": " + problem);
                        }
                    }
                }
            }
        }
        assertTrue(broken.isEmpty(), "links that lead nowhere:\n" + String.join("\n", broken));
    }

    /** Why a link's target does not resolve, or null when it does. */
    private static String problem(Path document, String target, Map<Path, Set<String>> anchors) throws IOException {
        if (SCHEME.matcher(target).find() || target.startsWith("//")) {
            return null; // another site: not this test's business
        }
        int hash = target.indexOf('#');
        String file = URLDecoder.decode(hash < 0 ? target : target.substring(0, hash), StandardCharsets.UTF_8);
        String fragment = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? document : document.toAbsolutePath().getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (fragment == null || !resolved.toString().endsWith(".md")) {
            return null;
        }
        Set<String> known = anchors.computeIfAbsent(resolved.toAbsolutePath().normalize(), DocsAreReferenceTest::slugs);
        return known.contains(fragment) ? null : "no heading with the anchor #" + fragment + " there";
    }

    /** The anchors GitHub gives the headings of a Markdown file. */
    static Set<String> slugs(Path file) {
        Set<String> slugs = new TreeSet<>();
        Map<String, Integer> seen = new HashMap<>();
        try {
            for (Line line : lines(file)) {
                Matcher m = HEADING.matcher(line.text());
                if (line.inFence() || !m.matches()) {
                    continue;
                }
                String slug = slug(m.group(1));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                slugs.add(n == 0 ? slug : slug + "-" + n);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return slugs;
    }

    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // a link counts by its text
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    static List<Path> documents() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(README));
        try (Stream<Path> files = Files.walk(DOCS)) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        return documents;
    }

    static List<Line> lines(Path file) throws IOException {
        List<Line> lines = new ArrayList<>();
        String fence = null;
        int number = 0;
        for (String text : Files.readAllLines(file)) {
            number++;
            Matcher m = FENCE.matcher(text);
            if (fence == null && m.find()) {
                fence = m.group(1);
                lines.add(new Line(file, number, text, true));
            } else if (fence != null) {
                lines.add(new Line(file, number, text, true));
                if (m.find() && m.group(1).charAt(0) == fence.charAt(0) && m.group(1).length() >= fence.length()
                        && text.strip().equals(m.group(1))) {
                    fence = null;
                }
            } else {
                lines.add(new Line(file, number, text, false));
            }
        }
        return lines;
    }

    record Line(Path file, int number, String text, boolean inFence) {
        String where() {
            return file + ":" + number;
        }
    }

    record Rule(String name, Pattern pattern) {
        Rule(String name, String regex) {
            this(name, Pattern.compile(regex));
        }

        void check(Line line, String text, List<String> found) {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                found.add(line.where() + ": " + name + " (\"" + m.group() + "\"): " + line.text().strip());
            }
        }
    }
}
