/** Lodestore beyond one machine: a database's change feed shipped to Kafka. */
package org.lodestore.kafka;
