package org.lodestore.examples.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lodestore.core.Database;
import org.lodestore.testing.LodestoreExtension;

/**
 * Each test gets a fresh database from {@link LodestoreExtension}, which also fails it if the
 * example left a transaction open.
 */
@ExtendWith(LodestoreExtension.class)
class UsersExampleTest {

  private static final int USERS = 100;

  @Test
  void run_everyIndexKindAnswersLikeAScanOfTheData(final Database db) {
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final UsersExample.Result r =
        UsersExample.run(db, USERS, new PrintStream(printed, true, StandardCharsets.UTF_8));
    final List<User> all =
        IntStream.range(0, USERS).mapToObj(UsersExample::user).collect(Collectors.toList());

    assertThat(r.users()).isEqualTo(USERS);
    // equality: every fifth user is Dutch; 20 of them in pages of 6
    assertThat(r.dutch()).isEqualTo(20);
    assertThat(r.pageSizes()).containsExactly(6, 6, 6, 2);
    assertThat(r.pageMore()).containsExactly(true, true, true, false);

    // ordered: ascending over a range, descending from the top
    final List<Integer> thirties =
        all.stream()
            .map(User::age)
            .filter(a -> a >= 30 && a <= 39)
            .sorted()
            .collect(Collectors.toList());
    assertThat(r.thirties()).isNotEmpty().containsExactlyElementsOf(thirties);
    final List<Integer> oldest =
        all.stream()
            .map(User::age)
            .sorted(Comparator.reverseOrder())
            .limit(3)
            .collect(Collectors.toList());
    assertThat(r.oldest()).containsExactlyElementsOf(oldest);

    // composite: NL only, newest first
    assertThat(r.newestDutch())
        .extracting(s -> s.substring(0, s.indexOf(" (")))
        .containsExactly("User 95", "User 90", "User 85", "User 80", "User 75");

    // unique: found, and a second account with the same e-mail refused without a trace
    assertThat(r.byEmail()).isEqualTo("User 7");
    assertThat(r.duplicateRefused()).isTrue();
    assertThat(r.usersAfterDuplicate()).isEqualTo(USERS);

    // counters: user u logged in (u % 4) + 1 times; even users are verified
    assertThat(r.loginsOfUser3()).isEqualTo(4);
    assertThat(r.totalLogins()).isEqualTo(IntStream.range(0, USERS).map(u -> u % 4 + 1).sum());
    assertThat(r.verified()).isEqualTo(USERS / 2);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("users in NL (equality index): 20");
  }
}
