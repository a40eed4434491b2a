package io.ideogramcamel.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/** Parameter binding shared by the store's writers. */
public final class JdbcParameters {

    private JdbcParameters() {
    }

    /** PostgreSQL needs the SQL type of a null; setString(null) does not carry one. */
    public static void setNullableString(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }

    /** A nullable BIGINT, with its SQL type when null. */
    public static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    /** A nullable INTEGER (an HTTP status, a progress), with its SQL type when null. */
    public static void setNullableInt(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }
}
