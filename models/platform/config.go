package platform

// ConfigRole ends the name of the role AWS Config records the platform's
// account with (<prefix>-platform-config).
const ConfigRole = "config"
