# reference-backend logit conformance tests
