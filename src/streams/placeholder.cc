// Placeholder translation unit; replaced as the subsystem grows.
