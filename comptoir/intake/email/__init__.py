"""The e-mail channel (issue 11): SMTP listener and IMAP poller that store every mail raw before
parsing it, a stdlib parser (charsets, HTML, attachments, quotes, signatures, auto-replies and
bounces), threading hints, and the ``email`` outbound channel. Every mail reaches tickets through
``tickets.services.intake_receive``."""
