export const postgresEngine = "postgres";
