# Enhanced fan-out end-to-end tests (being written).
