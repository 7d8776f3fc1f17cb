package org.lodestore.examples.hr;

import java.util.UUID;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.serializers.CborCodec;

/**
 * The HR schema of the zlmdb reference, with what zlmdb left to the application done by the schema:
 * both indexes are maintained by every write, the e-mail index is enforced unique before anything
 * is written, an employee's company must exist, and a company that still has employees cannot be
 * deleted (the reference's default, RESTRICT).
 *
 * <pre>
 *  companies                uuid -> Company (CBOR)
 *  employees                uuid -> Employee (CBOR)      references a company
 *    by_company             company uuid -> {employee uuid}   UUID-set index
 *    by_email               email -> employee uuid             unique index
 * </pre>
 */
public final class HrSchema extends Schema {

  /** Companies by oid. */
  public final SchemaTable<UUID, Company> companies =
      table(
          "5fcb2279-3a57-4f65-956b-c12c73d2f669",
          "companies",
          KeyCodecs.UUID,
          CborCodec.of(Company.class));

  /** Employees by oid. */
  public final SchemaTable<UUID, Employee> employees =
      table(
          "dfc18017-8aea-40b9-b0f0-c65ce06d3dc8",
          "employees",
          KeyCodecs.UUID,
          CborCodec.of(Employee.class));

  /** Company oid to the oids of its employees. */
  public final MultiIndex<UUID, UUID, Employee> employeesByCompany =
      index(employees, "by_company", KeyCodecs.UUID, Employee::company);

  /** E-mail to the employee who has it; a second employee with the same e-mail is refused. */
  public final UniqueIndex<String, UUID, Employee> employeeByEmail =
      uniqueIndex(employees, "by_email", KeyCodecs.STRING, Employee::email);

  /** Declares the tables; attach with {@code db.attach(new HrSchema())}. */
  public HrSchema() {
    reference(employees, "company", Employee::company, companies);
  }
}
