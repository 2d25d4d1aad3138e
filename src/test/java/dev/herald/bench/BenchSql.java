package dev.herald.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.StringJoiner;

/** Runs one SQL statement for bench/run and prints its rows, columns tab-separated. Arguments: jdbcUrl sql. */
public final class BenchSql {

    private BenchSql() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0], "postgres", "postgres"); Statement s = c.createStatement()) {
            if (s.execute(args[1])) {
                try (ResultSet rs = s.getResultSet()) {
                    while (rs.next()) {
                        StringJoiner row = new StringJoiner("\t");
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            row.add(String.valueOf(rs.getString(i)));
                        }
                        System.out.println(row);
                    }
                }
            }
        }
    }
}
