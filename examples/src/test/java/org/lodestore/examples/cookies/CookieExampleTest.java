package org.lodestore.examples.cookies;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lodestore.core.Database;
import org.lodestore.testing.LodestoreExtension;

/**
 * Each test gets a fresh database from {@link LodestoreExtension}, which also fails it if the
 * example left a transaction open.
 */
@ExtendWith(LodestoreExtension.class)
class CookieExampleTest {

  @Test
  void run_200users_purgesExactlyTheExpiredCookies(final Database db) {
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final CookieExample.Result r =
        CookieExample.run(db, 200, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(r.stored()).isEqualTo(200);
    assertThat(r.freshFound()).isTrue();
    assertThat(r.expiredFound()).isFalse();
    assertThat(r.replacedFound()).isFalse();
    assertThat(r.renewedFound()).isTrue();
    assertThat(r.touched()).isTrue();
    assertThat(r.touchedAliveLater()).isTrue();
    // users 0..99 logged in more than an hour before the end; the 10 of them who logged in again
    // near the end keep their (new) cookie
    assertThat(r.purged()).isEqualTo(90);
    assertThat(r.remaining()).isEqualTo(110);
    assertThat(r.consistent()).isTrue();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("90 expired cookies deleted");
  }

  @Test
  void storeOnLogin_twice_replacesTheCookieAndFreesTheOldId(final Database db) {
    final CookieStore store = new CookieStore(db, Duration.ofMinutes(10));
    final Cookie first = store.storeOnLogin(CookieExample.T0, "ada", "admin", "ticket");
    final Cookie second =
        store.storeOnLogin(CookieExample.T0.plusSeconds(5), "ada", "admin", "ticket");
    assertThat(store.lookup(CookieExample.T0.plusSeconds(6), first.cookieId())).isEmpty();
    assertThat(store.lookup(CookieExample.T0.plusSeconds(6), second.cookieId()))
        .hasValueSatisfying(c -> assertThat(c.authid()).isEqualTo("ada"));
    assertThat(store.count()).isEqualTo(1);
    assertThat(store.indexesConsistent()).isTrue();
    assertThat(store.purgeExpired(CookieExample.T0.plus(Duration.ofMinutes(11)))).isEqualTo(1);
    assertThat(store.count()).isZero();
    assertThat(store.indexesConsistent()).isTrue();
  }
}
