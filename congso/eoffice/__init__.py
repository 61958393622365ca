"""The e-office (văn bản điện tử, issue 16): official documents of ND 30/2020, the registers of
outgoing and incoming documents, the approval circuit, and the exchange of edXML packages
(QCVN 102:2016) between agencies over the national document axis. ``docs/eoffice.md``."""
