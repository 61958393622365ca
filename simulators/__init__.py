"""Local stand-ins for the outside systems congso talks to, speaking their HTTP APIs on
loopback with fault injection, for the tests and the demo. Standard library only; they import
nothing from congso."""
