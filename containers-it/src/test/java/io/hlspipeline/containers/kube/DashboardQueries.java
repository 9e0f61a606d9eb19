package io.hlspipeline.containers.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Prometheus metric names a Grafana dashboard queries: every {@code targets[].expr} of every
 * panel (rows included), with label matchers, grouping clauses, range selectors, strings and
 * function calls taken out of PromQL so that only series names remain.
 */
final class DashboardQueries {
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS =
      Set.of(
          "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "inf", "nan");

  private DashboardQueries() {}

  /** The metric names the dashboard file queries, sorted. */
  static Set<String> metricNames(Path dashboardJson) throws IOException {
    JsonNode root = new ObjectMapper().readTree(dashboardJson.toFile());
    Set<String> names = new TreeSet<>();
    collect(root.path("panels"), names);
    return names;
  }

  private static void collect(JsonNode panels, Set<String> names) {
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        names.addAll(metricNamesOf(target.path("expr").asText("")));
      }
      collect(panel.path("panels"), names); // a collapsed row holds its panels
    }
  }

  /** The series names in one PromQL expression. */
  static Set<String> metricNamesOf(String promql) {
    String s = STRING.matcher(promql).replaceAll(" ");
    s = MATCHERS.matcher(s).replaceAll(" ");
    s = RANGE.matcher(s).replaceAll(" ");
    s = GROUPING.matcher(s).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String id = m.group();
      int next = m.end();
      while (next < s.length() && s.charAt(next) == ' ') {
        next++;
      }
      boolean call = next < s.length() && s.charAt(next) == '(';
      if (!call && !KEYWORDS.contains(id.toLowerCase(java.util.Locale.ROOT))) {
        names.add(id);
      }
    }
    return names;
  }
}
