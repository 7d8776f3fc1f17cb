package org.lodestore.examples.hr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lodestore.core.Database;
import org.lodestore.testing.LodestoreExtension;

/**
 * Each test gets a fresh database from {@link LodestoreExtension}, which also fails it if the
 * example left a transaction open.
 */
@ExtendWith(LodestoreExtension.class)
class HrExampleTest {

  @Test
  void run_findsStaffThroughIndexes_andRefusedWritesChangeNothing(final Database db) {
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final HrExample.Result r =
        HrExample.run(db, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(r.acmeStaff()).containsExactly("Alice Archer", "Bob Baker", "Dave Dunn");
    assertThat(r.globexStaff()).containsExactly("Erin Ember");
    assertThat(r.bobByEmail()).isEqualTo("Bob Baker");

    // the duplicate e-mail: refused, nothing of it written, the other write of its transaction kept
    assertThat(r.duplicateRefused()).contains("by_email").contains("alice@acme.com");
    assertThat(r.employeesBefore()).isEqualTo(4);
    assertThat(r.employeesAfter()).isEqualTo(5);
    assertThat(r.emailsAfter()).isEqualTo(5);
    assertThat(r.carolHired()).isTrue();

    assertThat(r.unknownCompanyRefused()).contains("company").contains("companies");

    assertThat(r.afterMove()).containsExactly("Bob Baker", "Erin Ember");
    assertThat(r.oldEmailFree()).isTrue();
    assertThat(r.firstPage()).hasSize(2);
    assertThat(r.firstPageHasMore()).isTrue();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("duplicate e-mail refused");
  }
}
