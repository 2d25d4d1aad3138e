package dev.herald.lanes;

import org.junit.platform.suite.api.ExcludePackages;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/**
 * Every other test: the API, webhooks, ingest, tenancy, health, the console in a browser, metrics, tracing, the
 * database and the docs.
 */
@Suite
@IncludeEngines("junit-jupiter")
@SelectPackages("dev.herald")
// the benchmark runs on its own (docs/performance.md); selected here, its profile would cost a build of Herald
@ExcludePackages({ "dev.herald.dispatch", "dev.herald.delivery", "dev.herald.benchmark" })
public class FeaturesLane {
}
