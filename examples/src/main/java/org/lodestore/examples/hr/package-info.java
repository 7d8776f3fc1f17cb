/**
 * The HR example: companies and employees (CBOR), employees by company (UUID-set index), employee
 * by e-mail (unique index), and a reference from employees to companies (checked on every write; a
 * company with employees cannot be deleted). {@link org.lodestore.examples.hr.HrExample} shows
 * refused writes leaving everything as it was.
 */
package org.lodestore.examples.hr;
