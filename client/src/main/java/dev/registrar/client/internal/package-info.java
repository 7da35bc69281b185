/**
 * etcd plumbing shared by the client library and the operator: how jetcd reports errors, and the
 * reconnect nudge. Not an API: it may change in any release.
 */
package dev.registrar.client.internal;
