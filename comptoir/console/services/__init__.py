"""Writes of the agent console. Ticket writes go through ``comptoir.tickets.services``; this
package adds what the desk lacks: queue counters, bulk actions, supervisor edits."""
