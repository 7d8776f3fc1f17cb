package org.lodestore.examples.hr;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.lodestore.core.Database;
import org.lodestore.core.Row;
import org.lodestore.core.Txn;
import org.lodestore.examples.Examples;
import org.lodestore.schema.ConstraintViolationException;
import org.lodestore.schema.Page;
import org.lodestore.schema.UniqueViolationException;

/**
 * The HR example: companies and their employees, found through a UUID-set index and a unique e-mail
 * index, and what happens when a write breaks a rule: it is refused before anything is written, so
 * the transaction can carry on (or abort) with the tables and indexes intact.
 */
public final class HrExample {

  /**
   * What the example found; the test checks it.
   *
   * @param acmeStaff names of Acme's employees, through the by-company index, in name order
   * @param globexStaff names of Globex's employees
   * @param bobByEmail the name found under bob's e-mail, through the unique index
   * @param duplicateRefused the message of the refused duplicate e-mail
   * @param employeesBefore the number of employees before the refused write
   * @param employeesAfter the number after it (the same)
   * @param emailsAfter the number of entries in the e-mail index after it (the same)
   * @param carolHired whether the valid write in the same transaction was kept
   * @param unknownCompanyRefused the message of the refused employee of a missing company
   * @param afterMove names of Globex's employees after one moved there from Acme
   * @param oldEmailFree whether an e-mail is free again once its owner changed it
   * @param firstPage the first page of Acme's employees (2 per page)
   * @param firstPageHasMore whether more than one page of them exists
   */
  public record Result(
      List<String> acmeStaff,
      List<String> globexStaff,
      String bobByEmail,
      String duplicateRefused,
      long employeesBefore,
      long employeesAfter,
      long emailsAfter,
      boolean carolHired,
      String unknownCompanyRefused,
      List<String> afterMove,
      boolean oldEmailFree,
      List<String> firstPage,
      boolean firstPageHasMore) {}

  private HrExample() {}

  /**
   * Runs the example in {@code data/examples/hr} (or the directory given as the first argument),
   * starting fresh.
   *
   * @param args an optional database directory
   */
  public static void main(final String[] args) {
    final Path dir = Examples.databaseDir(args, "hr");
    Examples.deleteDatabase(dir);
    run(dir, System.out);
  }

  /**
   * Writes the data and runs the queries, printing what they find.
   *
   * @param dir the database directory (created if missing)
   * @param out where to print
   * @return what the example found
   */
  public static Result run(final Path dir, final PrintStream out) {
    try (Database db = Database.open(dir)) {
      return run(db, out);
    }
  }

  /**
   * Writes the data and runs the queries, printing what they find, on an open database (a test's,
   * say); {@link #run(Path, PrintStream)} opens one and runs this.
   *
   * @param db an open database; the example attaches its schema
   * @param out where to print
   * @return what the example found
   */
  public static Result run(final Database db, final PrintStream out) {
    final HrSchema hr = db.attach(new HrSchema());
    final UUID acme = UUID.randomUUID();
    final UUID globex = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();
    db.write(
        txn -> {
          hr.companies.put(txn, acme, new Company("Acme", "US"));
          hr.companies.put(txn, globex, new Company("Globex", "DE"));
          hire(txn, hr, acme, "alice@acme.com", "Alice Archer", "CTO");
          hr.employees.put(txn, bob, new Employee(acme, "bob@acme.com", "Bob Baker", "Engineer"));
          hire(txn, hr, acme, "dave@acme.com", "Dave Dunn", "Engineer");
          hire(txn, hr, globex, "erin@globex.com", "Erin Ember", "CEO");
        });

    final List<String> acmeStaff = db.readAndGet(txn -> staff(txn, hr, acme));
    final List<String> globexStaff = db.readAndGet(txn -> staff(txn, hr, globex));
    out.println("Acme (by_company index): " + acmeStaff);
    out.println("Globex (by_company index): " + globexStaff);
    final String bobByEmail =
        db.readAndGet(txn -> hr.employeeByEmail.get(txn, "bob@acme.com").name());
    out.println("bob@acme.com (by_email unique index): " + bobByEmail);

    // a duplicate e-mail is refused before anything is written: catch it and the transaction
    // goes on with the tables and indexes exactly as they were; the other hire is kept
    final long before = db.readAndGet(hr.employees::count);
    final String[] refused = new String[1];
    final UUID carol = UUID.randomUUID();
    try (Txn txn = db.beginWrite()) {
      hr.employees.put(txn, carol, new Employee(acme, "carol@acme.com", "Carol Chen", "Designer"));
      try {
        hire(txn, hr, globex, "alice@acme.com", "Alice Impostor", "Intern");
      } catch (UniqueViolationException e) {
        refused[0] = e.getMessage();
      }
      txn.commit();
    }
    out.println("duplicate e-mail refused: " + refused[0]);
    final long after = db.readAndGet(hr.employees::count);
    final long emails = db.readAndGet(hr.employeeByEmail::count);
    final boolean carolHired = db.readAndGet(txn -> hr.employees.contains(txn, carol));
    out.printf(
        "employees: %d before, %d after (Carol hired: %s), e-mail index entries: %d%n",
        before, after, carolHired, emails);

    // the reference to companies is checked: an employee of a company that does not exist
    String unknownCompany = null;
    try {
      db.write(txn -> hire(txn, hr, UUID.randomUUID(), "zed@nowhere.com", "Zed", "Ghost"));
    } catch (ConstraintViolationException e) {
      unknownCompany = e.getMessage();
    }
    out.println("employee of a missing company refused: " + unknownCompany);

    // Bob moves to Globex with a new e-mail: both index entries move in the same transaction
    db.write(
        txn ->
            hr.employees.update(
                txn, bob, e -> new Employee(globex, "bob@globex.com", e.name(), e.title())));
    final List<String> afterMove = db.readAndGet(txn -> staff(txn, hr, globex));
    final boolean oldEmailFree =
        db.readAndGet(txn -> !hr.employeeByEmail.contains(txn, "bob@acme.com"));
    out.println(
        "Globex after Bob moved: " + afterMove + "; bob@acme.com free again: " + oldEmailFree);

    // paging through an index: 2 at a time, with whether more are left
    final Page<Row<UUID, Employee>> page =
        db.readAndGet(txn -> hr.employeesByCompany.page(txn, acme, 0, 2));
    final List<String> firstPage = new ArrayList<>();
    for (final Row<UUID, Employee> row : page.rows()) {
      firstPage.add(row.value().name());
    }
    out.println("Acme, page 1 of size 2: " + firstPage + (page.moreAvailable() ? " (more)" : ""));

    return new Result(
        acmeStaff,
        globexStaff,
        bobByEmail,
        refused[0],
        before,
        after,
        emails,
        carolHired,
        unknownCompany,
        afterMove,
        oldEmailFree,
        firstPage,
        page.moreAvailable());
  }

  private static void hire(
      final Txn txn,
      final HrSchema hr,
      final UUID company,
      final String email,
      final String name,
      final String title) {
    hr.employees.put(txn, UUID.randomUUID(), new Employee(company, email, name, title));
  }

  /** The names of a company's employees, sorted: the index yields them in employee-oid order. */
  private static List<String> staff(final Txn txn, final HrSchema hr, final UUID company) {
    final List<String> names = new ArrayList<>();
    for (final Row<UUID, Employee> row :
        hr.employeesByCompany.page(txn, company, 0, Long.MAX_VALUE).rows()) {
      names.add(row.value().name());
    }
    names.sort(null);
    return names;
  }
}
