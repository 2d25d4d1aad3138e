package dev.herald.lanes;

import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/**
 * The tests of claiming and sending. Surefire runs the two lanes side by side, each in a JVM of its own with its own
 * PostgreSQL and ports (pom.xml). Lanes split by package, never by tag: a lane loads every class it selects before
 * its first test and Quarkus prepares Herald for each (a lane's costliest part), so no two lanes select the same one.
 */
@Suite
@IncludeEngines("junit-jupiter")
@SelectPackages({ "dev.herald.dispatch", "dev.herald.delivery" })
public class DeliveryLane {
}
