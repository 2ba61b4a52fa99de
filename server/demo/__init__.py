"""Demo data of 昭化区 (Guangyuan, Sichuan), the district the product comes from."""
